// Config providers: `${alias:path:key}` placeholders in connector configs are
// resolved only inside the worker when a connector or task starts, so
// secrets stay out of the stored configs (connectors file, config topic),
// the REST output and the logs. Built in, under Kafka's class names:
//   FileConfigProvider      ${file:/etc/secret.properties:password}
//   DirectoryConfigProvider ${dir:/mnt/secret:password}   (file per key)
//   EnvVarConfigProvider    ${env:DB_PASSWORD}
// Restricted with Apache's provider parameters:
//   config.providers.<alias>.param.allowed.paths      (File/Directory, KIP-993)
//   config.providers.<alias>.param.allowlist.pattern  (EnvVar, a Java regex)
// A placeholder a provider may not or cannot resolve stays as written (as
// Apache's ConfigTransformer leaves it). Every resolved value is registered
// with util/secret-mask.ts, so it is masked wherever the process writes text.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../sdk/index.js';
import { compileJavaRegex } from '../transforms/java-regex.js';
import { parseProperties } from '../util/properties.js';
import { AllowedPaths } from './allowed-paths.js';
import { MIN_MASKED_LENGTH, registerSecret } from '../util/secret-mask.js';
import { withPrefix } from './worker-config.js';

type Provider = (path: string, key: string) => string | undefined;
type Warn = (message: string, fields: Record<string, unknown>) => void;

export const ALLOWED_PATHS_PARAM = 'allowed.paths';
export const ALLOWLIST_PATTERN_PARAM = 'allowlist.pattern';

const P = 'org.apache.kafka.common.config.provider.';

const PROVIDERS: Record<string, (alias: string, params: Record<string, string>, warn: Warn) => Provider> = {
  [`${P}FileConfigProvider`]: (alias, params, warn) => {
    const allowed = allowedPaths(alias, params, warn);
    return (file, key) => {
      if (!file) return undefined;
      if (!allowed.allows(path.resolve(file))) {
        warn('The path is not allowed to be accessed', { provider: alias, path: file });
        return undefined;
      }
      return parseProperties(readFileSync(file, 'utf8'))[key];
    };
  },
  [`${P}DirectoryConfigProvider`]: (alias, params, warn) => {
    const allowed = allowedPaths(alias, params, warn);
    return (dir, key) => {
      if (!dir) return undefined;
      const file = path.join(dir, key);
      if (path.dirname(file) !== path.resolve(dir)) return undefined; // a key is a file name: no escaping the directory
      if (!allowed.allows(path.resolve(dir)) || !allowed.allows(file)) {
        warn('The path is not allowed to be accessed', { provider: alias, path: dir });
        return undefined;
      }
      let regular: boolean;
      try {
        regular = statSync(file).isFile(); // Kubernetes mounts keys as links into ..data/: followed
      } catch {
        return undefined; // no such key: the placeholder stays
      }
      return regular ? readFileSync(file, 'utf8') : undefined;
    };
  },
  [`${P}EnvVarConfigProvider`]: (alias, params) => {
    const source = params[ALLOWLIST_PATTERN_PARAM];
    let allowed: RegExp;
    try {
      // Apache tests names with Pattern.asPredicate(): a match anywhere in the name.
      allowed = source === undefined ? /[\s\S]*/ : compileJavaRegex(source).find;
    } catch (err) {
      throw new ConfigError(`config.providers.${alias}.param.${ALLOWLIST_PATTERN_PARAM}`, (err as Error).message);
    }
    return (p, key) => {
      if (p) throw new ConfigError(undefined, `Path is not supported for EnvVarConfigProvider, invalid value '${p}'`);
      allowed.lastIndex = 0;
      return allowed.test(key) ? process.env[key] : undefined;
    };
  },
};

/**
 * A provider's allowed.paths. Apache refuses a path that does not exist; here
 * it only warns (the operator allows its secrets directory, which exists only
 * when a Secret is mounted): a missing root allows nothing until it exists.
 */
function allowedPaths(alias: string, params: Record<string, string>, warn: Warn): AllowedPaths {
  const key = `config.providers.${alias}.param.${ALLOWED_PATHS_PARAM}`;
  const value = params[ALLOWED_PATHS_PARAM];
  for (const p of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    if (path.isAbsolute(p) && !existsSync(p)) warn('An allowed path does not exist (yet)', { key, path: p });
  return AllowedPaths.parse(key, value, false);
}

const PLACEHOLDER = /\$\{([^}:]+):(?:([^}]*):)?([^}:]+)\}/g;

/** Whether a value holds a `${...}` placeholder (Apache's ConfigTransformer.DEFAULT_PATTERN). */
export const hasPlaceholder = (value: string): boolean => /\$\{[^}]*?:(?:[^}]*?:)?[^}]*?\}/.test(value);

export interface Resolved {
  readonly config: Record<string, string>;
  /** each placeholder that was resolved, as written, and its value */
  readonly values: ReadonlyMap<string, string>;
}

export class ConfigProviders {
  private readonly providers = new Map<string, Provider>();

  /** From worker keys `config.providers=a,b`, `config.providers.a.class=...`, `config.providers.a.param.*`. */
  constructor(workerRaw: Readonly<Record<string, string>>, warn: Warn = () => undefined) {
    const aliases = (workerRaw['config.providers'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const settings = withPrefix(workerRaw, 'config.providers.');
    for (const alias of aliases) {
      const cls = settings[`${alias}.class`];
      const factory = cls ? PROVIDERS[cls] : undefined;
      if (!factory)
        throw new ConfigError(`config.providers.${alias}.class`, `unknown config provider class "${cls ?? ''}"`);
      this.providers.set(alias, factory(alias, withPrefix(settings, `${alias}.param.`), warn));
    }
  }

  /** A copy of `config` with every placeholder of a configured provider replaced. */
  resolve(config: Readonly<Record<string, string>>): Record<string, string> {
    return this.resolveTracked(config).config;
  }

  /** resolve(), also telling which placeholder became which value (to seal task configs again). */
  resolveTracked(config: Readonly<Record<string, string>>): Resolved {
    const out: Record<string, string> = {};
    const values = new Map<string, string>();
    for (const [key, value] of Object.entries(config)) {
      out[key] = value.replace(PLACEHOLDER, (whole, alias: string, p: string | undefined, k: string) => {
        const provider = this.providers.get(alias);
        if (!provider) return whole;
        let resolved: string | undefined;
        try {
          resolved = provider(p ?? '', k);
        } catch (err) {
          throw new ConfigError(key, `config provider "${alias}" failed: ${(err as Error).message}`);
        }
        if (resolved === undefined) return whole;
        registerSecret(resolved);
        values.set(whole, resolved);
        return resolved;
      });
    }
    return { config: out, values };
  }
}

/**
 * Task configs as they may be stored and returned: a connector generated
 * them from its resolved config, so they may hold resolved secrets. As
 * Apache's AbstractHerder.reverseTransform does, a key whose value in the
 * connector's config holds a placeholder gets that raw value back; beyond
 * Apache, any other occurrence of a resolved value (a connector may copy a
 * secret under another key, or into a longer value) is replaced by its
 * placeholder, so starting the task resolves it to the same text again.
 */
export function sealTaskConfigs(
  rawConnectorConfig: Readonly<Record<string, string>>,
  taskConfigs: readonly Record<string, string>[],
  resolved: ReadonlyMap<string, string>,
): Record<string, string>[] {
  const keysWithPlaceholders = Object.keys(rawConnectorConfig).filter((k) => hasPlaceholder(rawConnectorConfig[k]!));
  const exact = new Map([...resolved].filter(([, v]) => v.length > 0).map(([p, v]) => [v, p]));
  // One pass, longest value first, so a value that contains another is replaced whole and no
  // placeholder written here is searched again.
  const inner = [...exact.keys()].filter((v) => v.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
  const pattern = inner.length ? new RegExp(inner.map(escapeRegExp).join('|'), 'g') : null;
  return taskConfigs.map((task) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(task)) {
      if (keysWithPlaceholders.includes(key)) out[key] = rawConnectorConfig[key]!;
      else if (exact.has(value)) out[key] = exact.get(value)!;
      else out[key] = pattern ? value.replace(pattern, (v) => exact.get(v)!) : value;
    }
    return out;
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
