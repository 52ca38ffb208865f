// Connector config validation as PUT /connector-plugins/{p}/config/validate
// reports it: the framework's keys, the connector's own keys, and every
// configured transform and predicate, each with its errors.
import { ConfigDef, type ConfigKey, type ConfigValue, type Connector, type SourceConnector } from '../sdk/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import {
  connectorConfigDef,
  sinkTopicsError,
  TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED,
} from '../worker/connector-config.js';
import { listOf } from '../worker/transformation-chain.js';
import { withPrefix } from '../config/worker-config.js';
import { checkOverrides, clientsUsed } from '../config/client-override-policy.js';
import { compileJavaRegex } from '../transforms/java-regex.js';
import { DEFAULT_LIMITS, connectorNameError, limitErrors, type ConnectorLimits } from '../worker/connector-limits.js';
import type { ConfigInfos, ConfigKeyInfo, ConnectorConfig } from './types.js';
import { BadRequestError } from '../errors.js';

export function configKeyInfo(key: ConfigKey): ConfigKeyInfo {
  const hasDefault = key.defaultValue !== undefined && typeof key.defaultValue !== 'symbol';
  const dflt =
    !hasDefault || key.defaultValue === null
      ? null
      : Array.isArray(key.defaultValue)
        ? key.defaultValue.join(',')
        : String(key.defaultValue);
  return {
    name: key.name,
    type: key.type,
    required: !hasDefault,
    default_value: key.type === 'PASSWORD' && dflt !== null ? '[hidden]' : dflt,
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    order_in_group: key.orderInGroup ?? -1,
    width: key.width ?? 'NONE',
    display_name: key.displayName ?? key.name,
    dependents: [...(key.dependents ?? [])],
  };
}

/** Prefixes every key of a plugin's ConfigDef (transforms.<alias>.*), placing it in `group`. */
function prefixed(def: ConfigDef, prefix: string, group: string): ConfigDef {
  const out = new ConfigDef();
  for (const key of def.keys()) out.define({ ...key, name: `${prefix}${key.name}`, group });
  return out;
}

type Sections = Array<{ def: ConfigDef; values: ConfigValue[] }>;

/** The offline checks, as create and update run them (no connection to anything). */
export function validateConnectorConfig(
  config: ConnectorConfig,
  plugins: PluginRegistry,
  limits: ConnectorLimits = DEFAULT_LIMITS,
): ConfigInfos {
  const { descriptor, sections } = collectSections(config, plugins, limits);
  return configInfos(descriptor.class, sections);
}

/** How long a connector's connection check may take before validation reports it as failed. */
export const CONNECTION_CHECK_TIMEOUT_MS = 30_000;

/**
 * PUT /connector-plugins/{p}/config/validate: the offline checks, then the
 * connector's own connection check (Connector.validateConnection, as
 * Debezium's validate connects to the database). The check is asynchronous
 * and bounded, so a database that does not answer never blocks the worker.
 */
export async function validateConnectorConfigOnline(
  config: ConnectorConfig,
  plugins: PluginRegistry,
  limits: ConnectorLimits = DEFAULT_LIMITS,
  timeoutMs = CONNECTION_CHECK_TIMEOUT_MS,
): Promise<ConfigInfos> {
  const { descriptor, sections, connector, own } = collectSections(config, plugins, limits);
  if (connector.validateConnection) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the connection check did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([connector.validateConnection(config, own), timeout]);
    } catch (err) {
      own[0]?.errors.push(`Error while validating connector config: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return configInfos(descriptor.class, sections);
}

function collectSections(config: ConnectorConfig, plugins: PluginRegistry, limits: ConnectorLimits) {
  const cls = config['connector.class'];
  if (!cls) throw new BadRequestError('Connector config contains no connector type');
  const descriptor = plugins.find(cls).find((d) => d.type === 'source' || d.type === 'sink');
  if (!descriptor || (descriptor.type !== 'source' && descriptor.type !== 'sink')) {
    throw new BadRequestError(`Failed to find any class that implements Connector and which name matches ${cls}`);
  }
  const connector = new descriptor.create() as Connector;
  const framework = connectorConfigDef(descriptor.type);
  const sections: Sections = [];
  const frameworkValues = framework.validate(config);
  if (descriptor.type === 'source') exactlyOnceErrors(connector as SourceConnector, config, frameworkValues);
  sections.push({ def: framework, values: frameworkValues });
  const ownDef = connector.config();
  const own = connector.validate ? connector.validate(config) : ownDef.validate(config);
  sections.push({ def: ownDef, values: own });
  for (const [kind, listKey] of [
    ['transformation', 'transforms'],
    ['predicate', 'predicates'],
  ] as const) {
    for (const alias of listOf(config[listKey])) {
      const prefix = `${listKey}.${alias}.`;
      const group = `${kind === 'transformation' ? 'Transforms' : 'Predicates'}: ${alias}`;
      const typeDef = new ConfigDef().define({
        name: `${prefix}type`,
        type: 'CLASS',
        importance: 'HIGH',
        group,
        documentation: `Class for the '${alias}' ${kind}.`,
      });
      const typeValue = typeDef.validate(config);
      sections.push({ def: typeDef, values: typeValue });
      const type = config[`${prefix}type`];
      if (!type) continue;
      const found = plugins.find(type).find((d) => d.type === kind);
      if (!found) {
        typeValue[0]!.errors.push(
          `Invalid value ${type} for configuration ${prefix}type: Class ${type} could not be found.`,
        );
        continue;
      }
      const instance = new found.create() as { config(): ConfigDef; configure(props: Record<string, string>): void };
      const pluginDef = prefixed(instance.config(), prefix, group);
      const pluginValues = pluginDef.validate(config);
      sections.push({ def: pluginDef, values: pluginValues });
      // What only configuring shows (a regex that does not compile, a bad replacement, ...).
      if (pluginValues.every((v) => v.errors.length === 0)) {
        const error = configureError(() => instance.configure(withPrefix(config, prefix)));
        if (error)
          (pluginValues.find((v) => v.name === `${prefix}${error.key}`) ?? typeValue[0]!).errors.push(error.message);
      }
    }
  }
  converterErrors(config, plugins, frameworkValues);
  const nameValue = frameworkValues.find((v) => v.name === 'name');
  const nameError = typeof config['name'] === 'string' ? connectorNameError(config['name']) : undefined;
  if (nameValue && nameError && nameValue.errors.length === 0) nameValue.errors.push(nameError);
  const topicsRegex = frameworkValues.find((v) => v.name === 'topics.regex');
  if (topicsRegex && topicsRegex.errors.length === 0 && (config['topics.regex'] ?? '').trim() !== '') {
    try {
      compileJavaRegex(config['topics.regex']!.trim());
    } catch (err) {
      topicsRegex.errors.push(
        `Invalid value ${config['topics.regex']} for configuration topics.regex: ${(err as Error).message}`,
      );
    }
  }
  for (const { key, message } of limitErrors(descriptor.class, config, limits)) {
    const target = sections.flatMap((x) => x.values).find((v) => v.name === key) ?? frameworkValues[0]!;
    target.errors.push(message);
  }
  // connector.client.config.override.policy, for the clients this connector will use (as Apache).
  for (const kind of clientsUsed(descriptor.type, config)) {
    const overrides = checkOverrides(limits.overridePolicy, kind, config);
    if (overrides.length === 0) continue;
    const def = new ConfigDef();
    for (const o of overrides)
      def.define({ name: o.key, type: 'STRING', defaultValue: null, importance: 'LOW', documentation: '' });
    sections.push({
      def,
      values: overrides.map((o) => ({
        name: o.key,
        // Kafka's PASSWORD keys read as [hidden] (sasl.jaas.config holds one).
        value: /(^|\.)(password|sasl\.jaas\.config)$/.test(o.key) ? '[hidden]' : o.value,
        recommendedValues: [],
        errors: o.error ? [o.error] : [],
        visible: true,
      })),
    });
  }
  if (descriptor.type === 'sink') {
    const error = sinkTopicsError(config);
    if (error)
      for (const s of sections)
        for (const v of s.values) if (v.name === 'topics' || v.name === 'topics.regex') v.errors.push(error);
  }
  return { descriptor, sections, connector, own };
}

function configInfos(name: string, sections: Sections): ConfigInfos {
  const groups: string[] = [];
  const configs: ConfigInfos['configs'] = [];
  let errorCount = 0;
  for (const { def, values } of sections) {
    for (const v of values) {
      const key = def.key(v.name);
      if (!key) continue;
      if (key.group && !groups.includes(key.group)) groups.push(key.group);
      errorCount += v.errors.length;
      configs.push({
        definition: configKeyInfo(key),
        value: {
          name: v.name,
          // Kafka shows a PASSWORD value as its Password.toString(): [hidden].
          value: v.value == null ? null : key.type === 'PASSWORD' ? '[hidden]' : String(v.value),
          recommended_values: v.recommendedValues.map(String),
          errors: v.errors,
          visible: v.visible,
        },
      });
    }
  }
  return { name, error_count: errorCount, groups, configs };
}

/**
 * The exactly-once keys of a source connector (KIP-618, Apache's
 * DistributedHerder.validateSourceConnectorConfig): `required` needs a
 * connector that reports SUPPORTED for this config, and
 * `transaction.boundary=connector` is refused (see
 * TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED). Whether the worker offers
 * exactly-once delivery is checked where the connector starts (Worker).
 */
function exactlyOnceErrors(connector: SourceConnector, config: ConnectorConfig, values: ConfigValue[]): void {
  const value = (name: string) => values.find((v) => v.name === name);
  const support = value('exactly.once.support');
  if (support && support.errors.length === 0 && String(support.value).toLowerCase() === 'required') {
    let answer: string | undefined;
    let failure: string | undefined;
    try {
      answer = connector.exactlyOnceSupport?.(config);
    } catch (err) {
      failure = (err as Error).message;
    }
    if (failure !== undefined)
      support.errors.push(`An unexpected error occurred during validation of exactly-once source support: ${failure}`);
    else if (answer === undefined)
      support.errors.push(
        'The connector does not implement the API required for preflight validation of exactly-once source ' +
          'support. Consult the documentation of the connector to find out whether it supports exactly-once ' +
          'semantics, and then consider setting exactly.once.support to "requested" (which skips this check).',
      );
    else if (answer !== 'SUPPORTED')
      support.errors.push('The connector does not support exactly-once semantics with the provided configuration.');
  }
  const boundary = value('transaction.boundary');
  if (boundary && boundary.errors.length === 0 && String(boundary.value).toLowerCase() === 'connector')
    boundary.errors.push(TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED);
}

/** A plugin's configure() failure as `key: message`, or undefined when it configures. */
function configureError(configure: () => void): { key: string; message: string } | undefined {
  try {
    configure();
    return undefined;
  } catch (err) {
    return { key: (err as { key?: string }).key ?? 'type', message: (err as Error).message };
  }
}

/**
 * key.converter, value.converter and header.converter: a class that is not a
 * loadable converter, or that refuses its `<kind>.converter.*` settings, is an
 * error on that key (Apache: "Class X could not be found.").
 */
function converterErrors(config: ConnectorConfig, plugins: PluginRegistry, values: ConfigValue[]): void {
  for (const kind of ['key', 'value', 'header'] as const) {
    const key = `${kind}.converter`;
    const cls = (config[key] ?? '').trim();
    const value = values.find((v) => v.name === key);
    if (!cls || !value || value.errors.length > 0) continue;
    const type = kind === 'header' ? 'header_converter' : 'converter';
    const found = plugins.find(cls).find((d) => d.type === type);
    if (!found) {
      value.errors.push(`Invalid value ${cls} for configuration ${key}: Class ${cls} could not be found.`);
      continue;
    }
    const props = withPrefix(config, `${key}.`);
    const converter = new found.create() as { configure(props: Record<string, string>, isKey?: boolean): void };
    const error = configureError(() => converter.configure(props, kind === 'key'));
    if (error) value.errors.push(`Invalid value ${cls} for configuration ${key}: ${error.message}`);
  }
}

/** Kafka Connect's 400 message for an invalid connector config. */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const errors = infos.configs.flatMap((c) => c.value.errors);
  return (
    `Connector configuration is invalid and contains the following ${errors.length} error(s):\n` +
    errors.join('\n') +
    '\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`'
  );
}
