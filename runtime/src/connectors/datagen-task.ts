// Generates records: record `seq` of task `t` is a pure function of (seed,
// t, seq), its offset is the next sequence number, so a restarted task
// resumes exactly where its last committed offset says.
import {
  ConnectError,
  Schemas,
  primitiveSchema,
  structSchema,
  type Schema,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskProps,
} from '../sdk/index.js';
import {
  MAX_POLL_BYTES,
  SEQ_FIELD,
  TASK_COUNT_CONFIG,
  TASK_FIELD,
  TASK_ID_CONFIG,
  parseDataGenConfig,
  type DataGenConfig,
} from './datagen-config.js';
import { RecordRandom, randomSeed } from './datagen-random.js';
import { RateLimiter } from './rate-limiter.js';
import { sleep } from './sleep.js';
import { CONNECTORS_VERSION } from './version.js';

/** How long a poll idles once max.records is reached, so the worker does not spin. */
export const FINISHED_WAIT_MS = 1000;

/** The `created` field of seeded records counts from here (one second per id), so it is reproducible. */
export const SEEDED_EPOCH_MS = Date.UTC(2025, 0, 1);

const TIMESTAMP_SCHEMA = primitiveSchema('int64', { name: 'org.apache.kafka.connect.data.Timestamp', version: 1 });

export const DATAGEN_VALUE_SCHEMA: Schema = structSchema(
  [
    ['id', Schemas.INT64],
    ['name', Schemas.STRING],
    ['amount', Schemas.FLOAT64],
    ['created', TIMESTAMP_SCHEMA],
  ],
  { name: 'dev.sluice.connect.datagen.Value', version: 1 },
);

const NAMES = [
  'Ada',
  'Alan',
  'Barbara',
  'Claude',
  'Donald',
  'Edsger',
  'Frances',
  'Grace',
  'John',
  'Ken',
  'Leslie',
  'Margaret',
  'Niklaus',
  'Radia',
  'Tim',
  'Yukihiro',
];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** String values are windows into one random pool: a slice costs far less than drawing every character. */
const POOL_WINDOWS = 8192;

export class DataGenTask implements SourceTask {
  private config!: DataGenConfig;
  private taskId = 0;
  private taskCount = 1;
  private partition: SourcePartition = {};
  private seq = 0;
  private seeded = false;
  private random!: RecordRandom;
  private pool = '';
  private limiter: RateLimiter | null = null;
  private readonly stopping = new AbortController();

  version(): string {
    return CONNECTORS_VERSION;
  }

  async start(props: TaskProps, context: SourceTaskContext): Promise<void> {
    this.config = parseDataGenConfig(props);
    this.taskId = intProp(props, TASK_ID_CONFIG, 0);
    this.taskCount = intProp(props, TASK_COUNT_CONFIG, 1);
    this.seeded = this.config.seed !== null;
    const seed = this.config.seed ?? randomSeed();
    this.random = new RecordRandom(seed, this.taskId);
    if (this.config.valueShape === 'string') this.pool = makePool(seed, POOL_WINDOWS + this.config.valueSize);
    this.partition = Object.freeze({ [TASK_FIELD]: this.taskId });
    this.seq = seqOf(await context.offsetStorageReader.offset(this.partition));
    if (this.config.recordsPerSecond > 0) this.limiter = new RateLimiter(this.config.recordsPerSecond);
  }

  async poll(): Promise<SourceRecord[] | null> {
    const signal = this.stopping.signal;
    if (signal.aborted) return null;
    const { maxRecords, valueSize } = this.config;
    // One poll's values stay within MAX_POLL_BYTES, however large each value is.
    const batchSize = Math.min(this.config.batchSize, Math.max(1, Math.floor(MAX_POLL_BYTES / Math.max(1, valueSize))));
    let n = maxRecords >= 0 ? Math.min(batchSize, maxRecords - this.seq) : batchSize;
    if (n <= 0) {
      await sleep(FINISHED_WAIT_MS, signal);
      return null;
    }
    if (this.limiter) n = await this.limiter.acquire(n, signal);
    if (n <= 0 || signal.aborted) return null;
    const records = new Array<SourceRecord>(n);
    const timestamp = Date.now();
    for (let i = 0; i < n; i++) records[i] = this.generate(this.seq++, timestamp);
    return records;
  }

  stop(): void {
    this.stopping.abort();
  }

  private generate(seq: number, timestamp: number): SourceRecord {
    const random = this.random.reset(seq);
    const id = this.taskId + seq * this.taskCount;
    const { keyType, valueShape, valueSize, topic } = this.config;
    let keySchema: Schema | null = null;
    let key: unknown = null;
    if (keyType === 'sequence') {
      keySchema = Schemas.INT64;
      key = id;
    } else if (keyType === 'random') {
      keySchema = Schemas.INT64;
      key = random.nextUint32();
    }
    let valueSchema: Schema;
    let value: unknown;
    if (valueShape === 'string') {
      valueSchema = Schemas.STRING;
      const at = random.nextInt(POOL_WINDOWS);
      value = this.pool.slice(at, at + valueSize);
    } else {
      valueSchema = DATAGEN_VALUE_SCHEMA;
      value = {
        id,
        name: NAMES[random.nextInt(NAMES.length)]!,
        amount: random.nextInt(10_000_000) / 100,
        created: new Date(this.seeded ? SEEDED_EPOCH_MS + id * 1000 : timestamp),
      };
    }
    return {
      sourcePartition: this.partition,
      sourceOffset: { [SEQ_FIELD]: seq + 1 } as SourceOffset,
      topic,
      keySchema,
      key,
      valueSchema,
      value,
      // Always the wall clock, seeded or not: old timestamps would fall foul of time-based retention.
      timestamp,
    };
  }
}

function makePool(seed: number, length: number): string {
  // A task id no real task has, so the pool is not correlated with task 0's records.
  const random = new RecordRandom(seed, -1).reset(0);
  const chars = new Array<string>(length);
  for (let i = 0; i < length; i++) chars[i] = ALPHABET[random.nextInt(ALPHABET.length)]!;
  return chars.join('');
}

function intProp(props: TaskProps, key: string, fallback: number): number {
  const raw = props[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConnectError(`Invalid task config ${key}: ${raw}`);
  return n;
}

/** The committed offset is the next sequence number to generate. */
function seqOf(offset: SourceOffset | null): number {
  if (!offset) return 0;
  const raw = offset[SEQ_FIELD];
  const seq = typeof raw === 'bigint' || typeof raw === 'string' ? Number(raw) : raw;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new ConnectError(`Invalid DataGen offset: '${SEQ_FIELD}' must be a non-negative integer, got ${String(raw)}`);
  }
  return seq;
}
