// Kafka clients for the worker, configured from worker.properties: brokers,
// TLS (PEM files) and SASL (PLAIN, SCRAM) from the same keys Kafka uses.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { ConfigError } from '../sdk/index.js';
import type { Logger } from '../util/logging.js';

export interface ClientSettings {
  readonly clientId: string;
  /** merged worker keys (e.g. the worker config, then `producer.` overrides) */
  readonly props: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

export function createKafka({ clientId, props, logger }: ClientSettings): Kafka {
  const brokers = (props['bootstrap.servers'] ?? 'localhost:9092')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  const config: KafkaConfig = {
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      const fields = { kafkajs: entry.namespace, ...rest };
      if (entry.level <= logLevel.ERROR) logger.warn(String(message), fields);
      else logger.debug(String(message), fields);
    },
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    connectionTimeout: 5000,
  };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') config.ssl = tlsOptions(props);
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') config.sasl = saslOptions(props);
  return new Kafka(config);
}

function tlsOptions(props: Readonly<Record<string, string>>) {
  const read = (key: string) => {
    const file = props[key];
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(key, `cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const ca = read('ssl.truststore.location');
  const keystore = read('ssl.keystore.location');
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca: [ca] } : {}),
    // A PEM keystore holds the certificate chain and the private key together.
    ...(keystore ? { cert: keystore, key: keystore, passphrase: props['ssl.key.password'] || undefined } : {}),
    ...(props['ssl.endpoint.identification.algorithm'] === '' ? { checkServerIdentity: () => undefined } : {}),
  };
}

function saslOptions(props: Readonly<Record<string, string>>): SASLOptions {
  const mechanism = (props['sasl.mechanism'] ?? '').toUpperCase();
  const jaas = props['sasl.jaas.config'] ?? '';
  const username = /username\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  const password = /password\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  if (username === undefined || password === undefined) {
    throw new ConfigError('sasl.jaas.config', 'must set username="..." and password="..."');
  }
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw new ConfigError(
        'sasl.mechanism',
        `unsupported mechanism "${mechanism}" (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`,
      );
  }
}

/** Worker keys for one client kind: the shared keys overlaid with `producer.`/`consumer.`/`admin.` ones. */
export function clientProps(
  worker: Readonly<Record<string, string>>,
  kind: 'producer' | 'consumer' | 'admin',
  connectorOverrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = { ...worker };
  for (const [key, value] of Object.entries(worker))
    if (key.startsWith(`${kind}.`)) out[key.slice(kind.length + 1)] = value;
  for (const [key, value] of Object.entries(connectorOverrides)) {
    if (key.startsWith(`${kind}.override.`)) out[key.slice(kind.length + '.override.'.length)] = value;
  }
  return out;
}
