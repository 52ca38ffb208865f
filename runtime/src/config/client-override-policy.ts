// connector.client.config.override.policy (KIP-458), as Apache enforces it:
// which `producer.override.*`, `consumer.override.*` and `admin.override.*`
// keys a connector may set for the Kafka clients the worker creates for it.
//   None       no override at all
//   Principal  only sasl.jaas.config, sasl.mechanism, security.protocol
//   All        anything (Apache's default since 3.0, KIP-722)
// Checked at create/update for the clients the connector will use (Apache's
// AbstractHerder.connectorUses*: a source's producer, a sink's consumer, and
// the producer and admin of a sink's dead letter queue or a source's topic
// creation), and again whenever the worker builds a client from a connector's
// config, so a config stored before the policy was tightened fails its task
// instead of sending the worker's credentials elsewhere.
import { ConfigError, ConnectError } from '../sdk/index.js';

export type OverridePolicy = 'None' | 'Principal' | 'All';
export type ClientKind = 'producer' | 'consumer' | 'admin';

export const OVERRIDE_POLICY_CONFIG = 'connector.client.config.override.policy';
export const DEFAULT_OVERRIDE_POLICY: OverridePolicy = 'All';
/** PrincipalConnectorClientConfigOverridePolicy's ALLOWED_CONFIG */
export const PRINCIPAL_ALLOWED: readonly string[] = ['sasl.jaas.config', 'sasl.mechanism', 'security.protocol'];

const POLICY_PACKAGE = 'org.apache.kafka.connect.connector.policy.';

/** The worker key's value: an alias (`None`, any case) or Apache's class name. */
export function parseOverridePolicy(value: string | undefined): OverridePolicy {
  const v = (value ?? DEFAULT_OVERRIDE_POLICY).trim();
  const alias = v.startsWith(POLICY_PACKAGE)
    ? v.slice(POLICY_PACKAGE.length).replace(/ConnectorClientConfigOverridePolicy$/, '')
    : v;
  const found = (['None', 'Principal', 'All'] as const).find((p) => p.toLowerCase() === alias.toLowerCase());
  if (!found)
    throw new ConfigError(OVERRIDE_POLICY_CONFIG, `String must be one of: All, None, Principal (or their class names)`);
  return found;
}

const isAllowed = (policy: OverridePolicy, name: string) =>
  policy === 'All' || (policy === 'Principal' && PRINCIPAL_ALLOWED.includes(name));

/** Apache's message for one refused key (AbstractConnectorClientConfigOverridePolicy). */
export const overrideNotAllowed = (policy: OverridePolicy, name: string) =>
  `The '${policy}' policy does not allow '${name}' to be overridden in the connector configuration.`;

/** Every `<kind>.override.*` key of the config, with its error if the policy refuses it. */
export function checkOverrides(
  policy: OverridePolicy,
  kind: ClientKind,
  config: Readonly<Record<string, string>>,
): Array<{ key: string; value: string; error?: string }> {
  const prefix = `${kind}.override.`;
  return Object.entries(config)
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, value]) => {
      const name = key.slice(prefix.length);
      return isAllowed(policy, name) ? { key, value } : { key, value, error: overrideNotAllowed(policy, name) };
    });
}

/** The clients Apache validates overrides for (AbstractHerder.connectorUsesProducer/Consumer/Admin). */
export function clientsUsed(type: 'source' | 'sink', config: Readonly<Record<string, string>>): ClientKind[] {
  const dlq = (config['errors.deadletterqueue.topic.name'] ?? '').trim() !== '';
  const topicCreation = Object.keys(config).some((k) => k.startsWith('topic.creation.'));
  if (type === 'source') return topicCreation ? ['producer', 'admin'] : ['producer'];
  return dlq ? ['producer', 'admin', 'consumer'] : ['consumer'];
}

/** Throws (Apache's Worker message) when the connector's overrides for `kind` break the policy. */
export function requireAllowedOverrides(
  policy: OverridePolicy,
  kind: ClientKind,
  config: Readonly<Record<string, string>>,
): void {
  const refused = checkOverrides(policy, kind, config).filter((o) => o.error);
  if (refused.length > 0)
    throw new ConnectError(
      `Client Config Overrides not allowed ${refused.map((o) => `[${o.key}: ${o.error}]`).join(', ')}`,
    );
}
