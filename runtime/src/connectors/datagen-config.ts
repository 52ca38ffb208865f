// The data generator's settings.
import { ConfigDef, NO_DEFAULT, Validators, type RawConfig } from '../sdk/index.js';
import { singleTopic } from './single-topic.js';

/** Bounds that keep one task's memory small whatever a config asks: no request may run a worker out of memory. */
export const MAX_BATCH_SIZE = 100_000;
export const MAX_VALUE_SIZE = 1_048_576;
export const MAX_POLL_BYTES = 32 * 1_048_576;

export const DATAGEN_TOPIC_CONFIG = 'topic';
export const RECORDS_PER_SECOND_CONFIG = 'records.per.second';
export const MAX_RECORDS_CONFIG = 'max.records';
export const DATAGEN_BATCH_SIZE_CONFIG = 'batch.size';
export const KEY_TYPE_CONFIG = 'key.type';
export const VALUE_SHAPE_CONFIG = 'value.shape';
export const VALUE_SIZE_CONFIG = 'value.size';
export const SEED_CONFIG = 'seed';

/** Set by the connector in each task config (not user settings): which slice of the work a task does. */
export const TASK_ID_CONFIG = 'datagen.task.id';
export const TASK_COUNT_CONFIG = 'datagen.task.count';

/** The keys of the source partition and offset. */
export const TASK_FIELD = 'task';
export const SEQ_FIELD = 'seq';

export const KEY_TYPES = ['none', 'sequence', 'random'] as const;
export const VALUE_SHAPES = ['string', 'json'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export type ValueShape = (typeof VALUE_SHAPES)[number];

export function dataGenConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({
      name: DATAGEN_TOPIC_CONFIG,
      type: 'STRING',
      defaultValue: NO_DEFAULT,
      validator: singleTopic,
      importance: 'HIGH',
      documentation: 'The topic to write the generated records to.',
    })
    .define({
      name: RECORDS_PER_SECOND_CONFIG,
      type: 'DOUBLE',
      defaultValue: 0,
      validator: Validators.atLeast(0),
      importance: 'MEDIUM',
      documentation:
        'The most records each task generates per second (fractions allowed, e.g. 0.5). 0 means as fast as possible.',
    })
    .define({
      name: MAX_RECORDS_CONFIG,
      type: 'LONG',
      defaultValue: -1,
      validator: Validators.atLeast(-1),
      importance: 'MEDIUM',
      documentation:
        'How many records each task generates in total, counting those generated before a restart; ' +
        'then the task idles. -1 means no limit.',
    })
    .define({
      name: DATAGEN_BATCH_SIZE_CONFIG,
      type: 'INT',
      defaultValue: 1000,
      validator: Validators.between(1, MAX_BATCH_SIZE),
      importance: 'LOW',
      documentation: `The most records a task returns from one poll (at most ${MAX_BATCH_SIZE}; fewer when values are large, so that one poll holds at most ${MAX_POLL_BYTES / 1048576} MiB).`,
    })
    .define({
      name: KEY_TYPE_CONFIG,
      type: 'STRING',
      defaultValue: 'none',
      validator: Validators.oneOf(...KEY_TYPES),
      importance: 'MEDIUM',
      documentation:
        'The record key: "none" (null key), "sequence" (the record id, an int64 unique across tasks) or ' +
        '"random" (a random non-negative int64 below 2^32, which spreads records over partitions).',
    })
    .define({
      name: VALUE_SHAPE_CONFIG,
      type: 'STRING',
      defaultValue: 'string',
      validator: Validators.oneOf(...VALUE_SHAPES),
      importance: 'MEDIUM',
      documentation:
        'The record value: "string" (random alphanumeric text of value.size bytes, schema string) or ' +
        '"json" (a struct with fields id int64, name string, amount float64, created Timestamp; ' +
        'how it is serialized is up to the value converter).',
    })
    .define({
      name: VALUE_SIZE_CONFIG,
      type: 'INT',
      defaultValue: 100,
      validator: Validators.between(0, MAX_VALUE_SIZE),
      importance: 'LOW',
      documentation: `The size in bytes of each value when value.shape is "string" (at most ${MAX_VALUE_SIZE}, Kafka's default message size limit).`,
    })
    .define({
      name: SEED_CONFIG,
      type: 'LONG',
      defaultValue: null,
      importance: 'LOW',
      documentation:
        'Seed for the random values. When set, keys and values (including the "created" field) are a ' +
        'function of the seed, the task and the sequence number only, so runs are reproducible; record ' +
        'timestamps are always the wall clock. When unset, a random seed is used.',
    });
}

export interface DataGenConfig {
  readonly topic: string;
  /** 0: unlimited */
  readonly recordsPerSecond: number;
  /** -1: unlimited */
  readonly maxRecords: number;
  readonly batchSize: number;
  readonly keyType: KeyType;
  readonly valueShape: ValueShape;
  readonly valueSize: number;
  readonly seed: number | null;
}

export function parseDataGenConfig(props: RawConfig): DataGenConfig {
  const parsed = dataGenConfigDef().parse(props);
  return {
    topic: parsed[DATAGEN_TOPIC_CONFIG] as string,
    recordsPerSecond: parsed[RECORDS_PER_SECOND_CONFIG] as number,
    maxRecords: parsed[MAX_RECORDS_CONFIG] as number,
    batchSize: parsed[DATAGEN_BATCH_SIZE_CONFIG] as number,
    // oneOf accepts any case; the code compares lower case.
    keyType: (parsed[KEY_TYPE_CONFIG] as string).toLowerCase() as KeyType,
    valueShape: (parsed[VALUE_SHAPE_CONFIG] as string).toLowerCase() as ValueShape,
    valueSize: parsed[VALUE_SIZE_CONFIG] as number,
    seed: (parsed[SEED_CONFIG] as number | null) ?? null,
  };
}
