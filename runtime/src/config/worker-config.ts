// Worker configuration: Kafka Connect's worker.properties keys, parsed and
// checked up front so a typo fails the start with the key's name instead of
// being silently ignored.
import { ConfigDef, ConfigError, NO_DEFAULT, Validators, type ConfigKey } from '../sdk/index.js';
import { parseOverridePolicy } from './client-override-policy.js';

export type Mode = 'standalone' | 'distributed';

const k = (key: ConfigKey) => key;

const common = (): ConfigDef =>
  new ConfigDef()
    .define(
      k({
        name: 'bootstrap.servers',
        type: 'LIST',
        defaultValue: ['localhost:9092'],
        importance: 'HIGH',
        documentation: 'Kafka brokers to connect to.',
      }),
    )
    .define(
      k({
        name: 'client.id',
        type: 'STRING',
        defaultValue: '',
        importance: 'LOW',
        documentation: 'Client id prefix for Kafka clients.',
      }),
    )
    .define(
      k({
        name: 'key.converter',
        type: 'CLASS',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        documentation: 'Converter class for record keys.',
      }),
    )
    .define(
      k({
        name: 'value.converter',
        type: 'CLASS',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        documentation: 'Converter class for record values.',
      }),
    )
    .define(
      k({
        name: 'header.converter',
        type: 'CLASS',
        defaultValue: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
        importance: 'LOW',
        documentation: 'Converter class for headers.',
      }),
    )
    .define(
      k({
        name: 'offset.flush.interval.ms',
        type: 'LONG',
        // Apache's default is 60000: after a crash, a source sends again up to a minute of records
        // (540,000 at full speed were measured). Writes run in the background, one at a time, and
        // half a second cost no measurable throughput (docs/reliability.md).
        defaultValue: 500,
        importance: 'LOW',
        validator: Validators.atLeast(1),
        documentation:
          'Interval between source offset commits and sink consumer offset commits (Apache: 60000; Sluice: 500, ' +
          'so that a crash re-sends at most about half a second of records).',
      }),
    )
    .define(
      k({
        name: 'offset.flush.timeout.ms',
        type: 'LONG',
        defaultValue: 5000,
        importance: 'LOW',
        validator: Validators.atLeast(0),
        documentation: 'How long to wait for records to be acknowledged before an offset commit gives up.',
      }),
    )
    .define(
      k({
        name: 'task.shutdown.graceful.timeout.ms',
        type: 'LONG',
        defaultValue: 5000,
        importance: 'LOW',
        validator: Validators.atLeast(0),
        documentation: 'How long tasks get to stop, flush and commit on shutdown.',
      }),
    )
    .define(
      k({
        name: 'plugin.path',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        documentation: 'Directories (or files) holding JS plugin modules that export `plugins`.',
      }),
    )
    .define(
      k({
        name: 'plugin.discovery',
        type: 'STRING',
        defaultValue: 'hybrid_warn',
        importance: 'LOW',
        documentation: 'Accepted for compatibility; JS plugins are always discovered by their `plugins` export.',
      }),
    )
    .define(
      k({
        name: 'listeners',
        type: 'LIST',
        defaultValue: ['http://:8083'],
        importance: 'LOW',
        documentation:
          'REST listener URLs, http:// or https:// (TLS settings: listeners.https.ssl.*, else ssl.*; ssl.client.auth for mutual TLS).',
      }),
    )
    .define(
      k({
        name: 'admin.listeners',
        type: 'LIST',
        defaultValue: null,
        importance: 'LOW',
        documentation:
          'Listener URLs of the /admin endpoints (TLS settings: admin.listeners.https.ssl.*, else ssl.*). Unset: on the regular listeners; empty: disabled.',
      }),
    )
    .define(
      k({
        name: 'health.listeners',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        documentation:
          'Sluice: plain http listener URLs serving only GET /health and GET /metrics, for probes and Prometheus without a client certificate. Empty: none.',
      }),
    )
    .define(
      k({
        name: 'rest.advertised.host.name',
        type: 'STRING',
        defaultValue: null,
        importance: 'LOW',
        documentation: 'Host name other workers and the worker_id use for this worker.',
      }),
    )
    .define(
      k({
        name: 'rest.advertised.port',
        type: 'INT',
        defaultValue: null,
        importance: 'LOW',
        documentation: 'Port advertised for this worker.',
      }),
    )
    .define(
      k({
        name: 'rest.advertised.listener',
        type: 'STRING',
        defaultValue: null,
        importance: 'LOW',
        validator: (name, value) => {
          if (value !== null && !['http', 'https'].includes(String(value).toLowerCase()))
            throw new ConfigError(name, 'must be http or https');
        },
        documentation:
          'Which listener (http or https) other workers use to reach this one. Default: the first listener.',
      }),
    )
    .define(
      k({
        name: 'connector.client.config.override.policy',
        type: 'STRING',
        defaultValue: 'All',
        importance: 'MEDIUM',
        validator: (_name, value) => void parseOverridePolicy(String(value)),
        documentation:
          'Which producer.override./consumer.override./admin.override. keys connectors may set: None, Principal (sasl.jaas.config, sasl.mechanism, security.protocol) or All (Apache 4.x default); aliases or Apache class names.',
      }),
    )
    .define(
      k({
        name: 'sluice.tasks.max.limit',
        type: 'INT',
        defaultValue: 128,
        importance: 'MEDIUM',
        validator: Validators.atLeast(1),
        documentation:
          'The highest tasks.max a connector may set (Sluice only): higher values are refused at create/update, and a connector stored with one fails instead of starting.',
      }),
    )
    .define(
      k({
        name: 'sluice.file.allowed.paths',
        type: 'LIST',
        defaultValue: ['/var/lib/sluice'],
        importance: 'MEDIUM',
        documentation:
          'Absolute directories (or files) under which the FileStream connectors may read and write (Sluice only); by default the data volume of a worker pod.',
      }),
    )
    .define(
      k({
        name: 'topic.tracking.enable',
        type: 'BOOLEAN',
        defaultValue: true,
        importance: 'LOW',
        documentation: 'Track the topics each connector uses (GET /connectors/{c}/topics).',
      }),
    )
    .define(
      k({
        name: 'topic.tracking.allow.reset',
        type: 'BOOLEAN',
        defaultValue: true,
        importance: 'LOW',
        documentation: 'Allow PUT /connectors/{c}/topics/reset.',
      }),
    )
    .define(
      k({
        name: 'topic.creation.enable',
        type: 'BOOLEAN',
        defaultValue: true,
        importance: 'LOW',
        documentation: 'Let source connectors create topics with topic.creation.* settings.',
      }),
    )
    .define(
      k({
        name: 'config.providers',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        documentation: 'Config providers for ${provider:path:key} placeholders (file, env and directory are built in).',
      }),
    )
    .define(
      k({
        name: 'metrics.enable',
        type: 'BOOLEAN',
        defaultValue: true,
        importance: 'LOW',
        documentation: 'Serve Prometheus metrics at GET /metrics.',
      }),
    )
    .define(
      k({
        name: 'log.level',
        type: 'STRING',
        defaultValue: 'INFO',
        importance: 'LOW',
        validator: Validators.oneOf('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'),
        documentation: 'Root log level (Sluice extension).',
      }),
    )
    // Kafka client security settings shared by every client of the worker.
    .define(
      k({
        name: 'security.protocol',
        type: 'STRING',
        defaultValue: 'PLAINTEXT',
        importance: 'MEDIUM',
        validator: Validators.oneOf('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'),
        documentation: 'Protocol used to talk to brokers.',
      }),
    )
    .define(
      k({
        name: 'sasl.mechanism',
        type: 'STRING',
        defaultValue: 'GSSAPI',
        importance: 'MEDIUM',
        documentation: 'SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.',
      }),
    )
    .define(
      k({
        name: 'sasl.jaas.config',
        type: 'PASSWORD',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation: 'JAAS login module line with username and password.',
      }),
    )
    .define(
      k({
        name: 'ssl.truststore.location',
        type: 'STRING',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation: 'PEM file with the CA certificates to trust.',
      }),
    )
    .define(
      k({
        name: 'ssl.truststore.type',
        type: 'STRING',
        defaultValue: 'PEM',
        importance: 'LOW',
        validator: Validators.oneOf('PEM'),
        documentation: 'Only PEM is supported.',
      }),
    )
    .define(
      k({
        name: 'ssl.keystore.location',
        type: 'STRING',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation: 'PEM file holding the client certificate chain and private key (mTLS).',
      }),
    )
    .define(
      k({
        name: 'ssl.keystore.type',
        type: 'STRING',
        defaultValue: 'PEM',
        importance: 'LOW',
        validator: Validators.oneOf('PEM'),
        documentation: 'Only PEM is supported.',
      }),
    )
    .define(
      k({
        name: 'ssl.key.password',
        type: 'PASSWORD',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation: 'Passphrase of the private key, if encrypted.',
      }),
    )
    .define(
      k({
        name: 'ssl.endpoint.identification.algorithm',
        type: 'STRING',
        defaultValue: 'https',
        importance: 'LOW',
        documentation: 'Empty to skip host name verification.',
      }),
    );

const standaloneKeys = (): ConfigDef =>
  new ConfigDef()
    .define(
      k({
        name: 'offset.storage.file.filename',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        validator: Validators.nonEmptyString(),
        documentation: 'File holding source offsets.',
      }),
    )
    .define(
      k({
        name: 'config.storage.file.filename',
        type: 'STRING',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation:
          'File holding connector configs and target states (Sluice extension; default: connectors.json beside the offset file), so REST-created connectors survive restarts.',
      }),
    );

const distributedKeys = (): ConfigDef =>
  new ConfigDef()
    .define(
      k({
        name: 'group.id',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        validator: Validators.nonEmptyString(),
        documentation: 'The Connect cluster this worker belongs to.',
      }),
    )
    .define(
      k({
        name: 'config.storage.topic',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        validator: Validators.nonEmptyString(),
        documentation: 'Compacted topic (1 partition) holding connector configs.',
      }),
    )
    .define(
      k({
        name: 'config.storage.replication.factor',
        type: 'SHORT',
        defaultValue: 3,
        importance: 'LOW',
        documentation: 'Replication factor of the config topic when created (-1: broker default).',
      }),
    )
    .define(
      k({
        name: 'offset.storage.topic',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        validator: Validators.nonEmptyString(),
        documentation: 'Compacted topic holding source offsets.',
      }),
    )
    .define(
      k({
        name: 'offset.storage.partitions',
        type: 'INT',
        defaultValue: 25,
        importance: 'LOW',
        documentation: 'Partitions of the offset topic when created.',
      }),
    )
    .define(
      k({
        name: 'offset.storage.replication.factor',
        type: 'SHORT',
        defaultValue: 3,
        importance: 'LOW',
        documentation: 'Replication factor of the offset topic when created.',
      }),
    )
    .define(
      k({
        name: 'status.storage.topic',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        validator: Validators.nonEmptyString(),
        documentation: 'Compacted topic holding connector and task status.',
      }),
    )
    .define(
      k({
        name: 'status.storage.partitions',
        type: 'INT',
        defaultValue: 5,
        importance: 'LOW',
        documentation: 'Partitions of the status topic when created.',
      }),
    )
    .define(
      k({
        name: 'status.storage.replication.factor',
        type: 'SHORT',
        defaultValue: 3,
        importance: 'LOW',
        documentation: 'Replication factor of the status topic when created.',
      }),
    )
    .define(
      k({
        name: 'session.timeout.ms',
        type: 'INT',
        defaultValue: 10000,
        importance: 'HIGH',
        documentation: 'Group session timeout.',
      }),
    )
    .define(
      k({
        name: 'heartbeat.interval.ms',
        type: 'INT',
        defaultValue: 3000,
        importance: 'HIGH',
        documentation: 'Group heartbeat interval.',
      }),
    )
    .define(
      k({
        name: 'rebalance.timeout.ms',
        type: 'INT',
        defaultValue: 60000,
        importance: 'HIGH',
        documentation: 'Maximum time for a rebalance.',
      }),
    )
    .define(
      k({
        name: 'scheduled.rebalance.max.delay.ms',
        type: 'INT',
        // Apache's default is 5 minutes. On Kubernetes a crashed worker pod is
        // back within seconds under the same name (and then gets its work back
        // at once, matched by URL), while a lost node takes minutes to be
        // noticed: waiting 5 minutes there only stalls the data. 30 s covers a
        // container restart and bounds the stall.
        defaultValue: 30000,
        importance: 'LOW',
        documentation:
          'How long lost work waits for its worker to come back before it is reassigned (Apache: 300000; Sluice: 30000, see docs/distributed-protocol.md).',
      }),
    )
    .define(
      k({
        name: 'connect.protocol',
        type: 'STRING',
        defaultValue: 'sessioned',
        importance: 'LOW',
        documentation: 'Accepted for compatibility.',
      }),
    )
    .define(
      k({
        name: 'worker.sync.timeout.ms',
        type: 'INT',
        defaultValue: 3000,
        importance: 'MEDIUM',
        documentation: 'How long to wait to catch up with the config topic.',
      }),
    )
    .define(
      k({
        name: 'worker.unsync.backoff.ms',
        type: 'INT',
        defaultValue: 300000,
        importance: 'MEDIUM',
        documentation: 'Backoff after failing to catch up.',
      }),
    )
    .define(
      k({
        name: 'exactly.once.source.support',
        type: 'STRING',
        defaultValue: 'disabled',
        importance: 'HIGH',
        validator: Validators.oneOf('disabled', 'preparing', 'enabled'),
        documentation: 'Exactly-once source support (KIP-618).',
      }),
    )
    .define(
      k({
        name: 'inter.worker.key.generation.algorithm',
        type: 'STRING',
        defaultValue: 'HmacSHA256',
        importance: 'LOW',
        documentation: 'Accepted for compatibility.',
      }),
    )
    .define(
      k({
        name: 'inter.worker.signature.algorithm',
        type: 'STRING',
        defaultValue: 'HmacSHA256',
        importance: 'LOW',
        documentation: 'Accepted for compatibility.',
      }),
    )
    .define(
      k({
        name: 'inter.worker.key.ttl.ms',
        type: 'INT',
        defaultValue: 3600000,
        importance: 'LOW',
        documentation: 'Accepted for compatibility.',
      }),
    );

/** Keys under these prefixes are passed through to clients, converters or providers. */
const PASSTHROUGH_PREFIXES = [
  'producer.',
  'consumer.',
  'admin.',
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'config.providers.',
  'listeners.https.',
  'admin.listeners.https.',
  'ssl.',
  'sasl.',
];

export interface WorkerConfig {
  readonly mode: Mode;
  /** every key as given, for prefix lookups */
  readonly raw: Readonly<Record<string, string>>;
  /** parsed values of every defined key */
  readonly values: Readonly<Record<string, unknown>>;
  /** defined keys of the other mode, which this mode ignores */
  readonly ignored: readonly string[];
}

export function workerConfigDef(mode: Mode): ConfigDef {
  return common().include(mode === 'standalone' ? standaloneKeys() : distributedKeys());
}

/**
 * Parses and checks worker properties. Throws ConfigError naming the first
 * unknown or invalid key.
 */
export function parseWorkerConfig(mode: Mode, raw: Record<string, string>): WorkerConfig {
  const def = workerConfigDef(mode);
  const other = mode === 'standalone' ? distributedKeys() : standaloneKeys();
  const ignored: string[] = [];
  for (const key of Object.keys(raw)) {
    if (def.key(key)) continue;
    if (other.key(key)) {
      ignored.push(key);
      continue;
    }
    if (PASSTHROUGH_PREFIXES.some((p) => key.startsWith(p))) continue;
    throw new ConfigError(key, `Unknown worker configuration key "${key}" for ${mode} mode`);
  }
  return { mode, raw: { ...raw }, values: def.parse(raw), ignored };
}

/** The keys under `prefix`, with the prefix removed (Kafka's originalsWithPrefix). */
export function withPrefix(raw: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out;
}
