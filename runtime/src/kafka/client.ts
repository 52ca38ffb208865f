// Kafka clients for the worker, configured from worker.properties: brokers,
// TLS (PEM files) and SASL (PLAIN, SCRAM) from the same keys Kafka uses.
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import type { KafkaConfig, Message, PartitionerArgs, SASLOptions } from 'kafkajs';
import { ConfigError } from '../sdk/index.js';
import { crc32c } from './crc32c.js';
import { createRecordDecoder } from './record-decoder.js';
import { createRecordEncoder, type RecordEncoder } from './record-encoder.js';
import { murmur2 } from './murmur2.js';
import type { Logger } from '../util/logging.js';

const require = createRequire(import.meta.url);

/**
 * kafkajs 2.2.4 (its last release) groups the messages of a send by partition
 * with `Object.assign(result, { [p]: [...current, message] })` per message:
 * O(n²) in the messages per partition of one sendBatch (tulios/kafkajs#1576,
 * never merged). For a 2000-record poll that is ~16 MB of short-lived arrays
 * per send, ~80% of everything a FileStream source allocated: the young
 * generation filled every few ms, records waiting for their ack were promoted,
 * and the worker's peak RSS reached ~400 MB. This linear version keeps the
 * contract (one partitioner call per message, in order; partition -> messages
 * in send order). sendMessages.js captures the function when it is first
 * required, so it must be in the module cache before kafkajs loads; this
 * module is the only one that loads kafkajs.
 */
function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: PartitionerArgs['partitionMetadata'];
  messages: Message[];
  partitioner: (args: PartitionerArgs) => number;
}): Record<number, Message[]> {
  const result: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (message as PartitionedMessage)[SENT_TO] = partition;
    (result[partition] ??= []).push(message);
  }
  return result;
}

/** Where the last attempt of a send put a message (set by groupMessagesPerPartition above). */
const SENT_TO = Symbol('sluice.sentToPartition');
type PartitionedMessage = Message & { [SENT_TO]?: number };

/**
 * The messages of a sendBatch that Kafka did not acknowledge although the
 * send resolved. kafkajs 2.2.4's sendMessages retries a produce after an
 * error (e.g. NOT_LEADER_OR_FOLLOWER while a broker restarts) only to the
 * brokers that have not answered yet: when a failed partition's leadership
 * moved to a broker that had already acknowledged other partitions of the
 * same send, that partition's messages are never sent, and the send resolves
 * as if they had been (found by the chaos run: records missing from the
 * topic while later offsets were committed). The response lists every
 * partition that was written; a message whose partition (as the last attempt
 * computed it) is not among them was not. Empty when the partitions are not
 * known (kafkajs not patched here).
 */
export function unacknowledged(
  topicMessages: readonly KafkaJs.TopicMessages[],
  acknowledged: readonly KafkaJs.RecordMetadata[] | undefined,
): KafkaJs.TopicMessages[] {
  const written = new Set((acknowledged ?? []).map((m) => `${m.topicName}\u0000${m.partition}`));
  const out: KafkaJs.TopicMessages[] = [];
  for (const { topic, messages } of topicMessages) {
    const missing = messages.filter((m) => {
      const partition = (m as PartitionedMessage)[SENT_TO];
      return partition !== undefined && !written.has(`${topic}\u0000${partition}`);
    });
    if (missing.length > 0) out.push({ topic, messages: missing });
  }
  return out;
}

/**
 * kafkajs 2.2.4's consumer drops the records of aborted transactions with a
 * filter (src/consumer/filterAbortedMessages.js) that assumes the fetch lists
 * the aborted transactions by first offset, and enters at most one per
 * record. The broker lists them in the order they were aborted (the order of
 * its transaction index), not by first offset: when two producers' open
 * transactions were aborted in the other order than they began (as the
 * coordinator does for the tasks of a SIGKILLed worker), the records of the
 * one that began first pass until the first record of the other, and a
 * READ_COMMITTED consumer (a sink task, kafkajs's default isolation) gets
 * records of an aborted transaction. This one is Kafka's consumer rule
 * (`abortedRecordFilter`, which sorts by first offset); same contract: the
 * messages in, those not of an aborted transaction out, control records kept
 * (the Batch drops them).
 */
function filterAbortedMessages({
  messages,
  abortedTransactions,
}: {
  messages: TransactionalRecordView[];
  abortedTransactions?: AbortedTransaction[];
}): TransactionalRecordView[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const aborted = abortedRecordFilter(abortedTransactions);
  return messages.filter((message) => !aborted(message));
}

/** Puts `exports` in the module cache as kafkajs's module `file`; false if it was loaded already (too late). */
function replaceModule(file: string, exports: unknown): boolean {
  const path = require.resolve(file);
  if (require.cache[path]) return false;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  require.cache[path] = module;
  return true;
}

/** kafkajs's own module `file`, loaded without leaving it in the module cache (so that it can be replaced there). */
function requireApart<T>(file: string): T {
  const path = require.resolve(file);
  const cached = require.cache[path];
  try {
    return require(path) as T;
  } finally {
    if (!cached) delete require.cache[path];
  }
}

function loadKafkaJs(): { kafkaJs: typeof KafkaJs; patched: boolean } {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  // Only the release whose internals were checked; if kafkajs is already loaded it is too late.
  let patched = false;
  if (version === '2.2.4') {
    const grouping = replaceModule('kafkajs/src/producer/groupMessagesPerPartition.js', groupMessagesPerPartition);
    const filter = replaceModule('kafkajs/src/consumer/filterAbortedMessages.js', filterAbortedMessages);
    // Not a correctness fix: the consumer's per-record decoding without Long arithmetic (record-decoder.ts).
    replaceModule('kafkajs/src/protocol/recordBatch/record/v0/decoder.js', createRecordDecoder());
    // Nor these: the producer's per-record encoding in one exact-size buffer, CRC-32C 8 bytes at a time,
    // and the key hash of the default partitioner in 32-bit arithmetic instead of Long objects.
    const recordFile = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
    if (!require.cache[require.resolve(recordFile)]) {
      const encoder = require('kafkajs/src/protocol/encoder.js') as { prototype: object };
      replaceModule(recordFile, createRecordEncoder(requireApart<RecordEncoder>(recordFile), encoder.prototype));
    }
    replaceModule('kafkajs/src/protocol/recordBatch/crc32C/index.js', crc32c);
    replaceModule('kafkajs/src/producer/partitioners/default/murmur2.js', murmur2);
    patched = grouping && filter;
  }
  return { kafkaJs: require('kafkajs') as typeof KafkaJs, patched };
}

const loaded = loadKafkaJs();

/**
 * kafkajs as the runtime uses it (with the replacements above). Code in the
 * same process that wants them, e.g. a test reading with READ_COMMITTED, takes
 * kafkajs from here rather than importing it first.
 */
export const kafkaJs: typeof KafkaJs = loaded.kafkaJs;

/** Whether kafkajs was first loaded here, so the replacements above are in place. */
export const kafkaJsPatched: boolean = loaded.patched;

const { Kafka, logLevel } = kafkaJs;

export interface ClientSettings {
  readonly clientId: string;
  /** merged worker keys (e.g. the worker config, then `producer.` overrides) */
  readonly props: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

export function createKafka({ clientId, props, logger }: ClientSettings): KafkaJs.Kafka {
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
  // Kafka's PEM settings: inline certificates/key (usually ${dir:...} placeholders
  // resolved from mounted Secrets) or a file holding them.
  const ca = props['ssl.truststore.certificates'] || read('ssl.truststore.location');
  const keystore = read('ssl.keystore.location');
  const cert = props['ssl.keystore.certificate.chain'] || keystore;
  const key = props['ssl.keystore.key'] || keystore;
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca: [ca] } : {}),
    ...(cert && key ? { cert, key, passphrase: props['ssl.key.password'] || undefined } : {}),
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

/** An aborted transaction as a READ_COMMITTED fetch lists it per partition. */
export interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

/** The fields of a record decoded by kafkajs 2.2.4's fetch that tell its transaction. */
interface TransactionalRecordView {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord: boolean;
  readonly batchContext: object;
}

/** A control record's key: version int16, type int16 (0 = ABORT, 1 = COMMIT). */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/**
 * Tells which records of one partition's READ_COMMITTED fetch belong to an
 * aborted transaction, as Kafka's consumer does: the broker returns data up to
 * the last stable offset, aborted transactions included, and lists those
 * transactions (producer id, first offset); a record is dropped when it is
 * transactional and its producer has an aborted transaction that started at
 * or before it and whose ABORT marker has not been passed yet. Call it for
 * every record of the partition in offset order, control records included.
 * kafkajs's consumer has its own filter, but the broker-level fetch the
 * internal logs use (distributed/kafkajs-internals.ts) does not filter; the
 * decoder puts `producerId` and `inTransaction` on each record's batchContext.
 */
export function abortedRecordFilter(
  abortedTransactions: readonly AbortedTransaction[] | undefined,
): (record: TransactionalRecordView) => boolean {
  const pending = [...(abortedTransactions ?? [])].sort((a, b) =>
    BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0,
  );
  const abortedProducers = new Set<string>();
  return (record) => {
    const offset = BigInt(record.offset);
    while (pending.length > 0 && BigInt(pending[0]!.firstOffset) <= offset)
      abortedProducers.add(pending.shift()!.producerId);
    const { producerId, inTransaction } = record.batchContext as { producerId?: string; inTransaction?: boolean };
    if (record.isControlRecord) {
      // Past its ABORT marker, the producer's later transactions are not aborted (unless listed again).
      if (producerId !== undefined && record.key && ABORT_MARKER_KEY.equals(record.key))
        abortedProducers.delete(producerId);
      return false;
    }
    return inTransaction === true && producerId !== undefined && abortedProducers.has(producerId);
  };
}
