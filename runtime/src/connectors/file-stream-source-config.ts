// The FileStream source's settings, as in Kafka's FileStreamSourceConnector.CONFIG_DEF.
import { ConfigDef, NO_DEFAULT, Validators, type RawConfig } from '../sdk/index.js';
import { singleTopic } from './single-topic.js';

export const FILE_CONFIG = 'file';
export const TOPIC_CONFIG = 'topic';
export const BATCH_SIZE_CONFIG = 'batch.size';
export const DEFAULT_BATCH_SIZE = 2000;

/** The keys of the source partition and offset, as Kafka names them (offsets must stay compatible). */
export const FILENAME_FIELD = 'filename';
export const POSITION_FIELD = 'position';

export function fileStreamSourceConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({
      name: FILE_CONFIG,
      type: 'STRING',
      defaultValue: null,
      importance: 'HIGH',
      documentation: 'Source filename. If not specified, the standard input will be used',
    })
    .define({
      name: TOPIC_CONFIG,
      type: 'STRING',
      defaultValue: NO_DEFAULT,
      validator: singleTopic,
      importance: 'HIGH',
      documentation: 'The topic to publish data to',
    })
    .define({
      name: BATCH_SIZE_CONFIG,
      type: 'INT',
      defaultValue: DEFAULT_BATCH_SIZE,
      validator: Validators.atLeast(1),
      importance: 'LOW',
      documentation: 'The maximum number of records the source task can read from the file each time it is polled',
    });
}

export interface FileStreamSourceConfig {
  /** null: read stdin */
  readonly file: string | null;
  readonly topic: string;
  readonly batchSize: number;
}

/** Parses and validates; throws ConfigError on the first problem. */
export function parseFileStreamSourceConfig(props: RawConfig): FileStreamSourceConfig {
  const parsed = fileStreamSourceConfigDef().parse(props);
  return {
    file: fileOrNull(parsed[FILE_CONFIG]),
    topic: parsed[TOPIC_CONFIG] as string,
    batchSize: parsed[BATCH_SIZE_CONFIG] as number,
  };
}

/** An empty `file` means stdin/stdout, as in Kafka. */
export function fileOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
