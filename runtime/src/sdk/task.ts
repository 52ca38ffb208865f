// Tasks: where records are produced (source) or consumed (sink).
import type { SinkRecord, SourceOffset, SourcePartition, SourceRecord } from './record.js';

export type TaskProps = Record<string, string>;

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Reads committed source offsets (Kafka's OffsetStorageReader). */
export interface OffsetStorageReader {
  offset(partition: SourcePartition): Promise<SourceOffset | null>;
  offsets(partitions: SourcePartition[]): Promise<Map<SourcePartition, SourceOffset | null>>;
}

export interface SourceTaskContext {
  readonly configs: TaskProps;
  readonly offsetStorageReader: OffsetStorageReader;
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface SourceTask {
  version(): string;
  start(props: TaskProps, context: SourceTaskContext): void | Promise<void>;
  /**
   * Returns the next batch, or null/[] when there is nothing now. May wait a
   * little for data but should return within about a second so the worker
   * can pause, stop or commit.
   */
  poll(): Promise<SourceRecord[] | null>;
  /** Offsets up to the last acknowledged batch were committed. */
  commit?(): void | Promise<void>;
  /** One record was acknowledged by Kafka (or filtered out: metadata null). */
  commitRecord?(record: SourceRecord, metadata: RecordMetadata | null): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** Reports a record the task could not process (KIP-610), honouring errors.tolerance and the DLQ. */
export type ErrantRecordReporter = (record: SinkRecord, error: Error) => Promise<void>;

export interface SinkTaskContext {
  readonly configs: TaskProps;
  /** Rewind or skip: the next fetch for these partitions starts at the given offsets. */
  offset(offsets: Map<TopicPartition, number>): void;
  /** Ask for put() to be retried after this many ms (after a RetriableError). */
  timeout(ms: number): void;
  assignment(): TopicPartition[];
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  requestCommit(): void;
  readonly errantRecordReporter?: ErrantRecordReporter;
}

export interface SinkTask {
  version(): string;
  start(props: TaskProps, context: SinkTaskContext): void | Promise<void>;
  open?(partitions: TopicPartition[]): void | Promise<void>;
  put(records: SinkRecord[]): Promise<void> | void;
  /** Make everything put so far durable. */
  flush?(offsets: Map<TopicPartition, number>): Promise<void> | void;
  /**
   * Which offsets may be committed (next offset to read, per partition). The
   * default flushes and returns `offsets` unchanged.
   */
  preCommit?(offsets: Map<TopicPartition, number>): Promise<Map<TopicPartition, number>> | Map<TopicPartition, number>;
  close?(partitions: TopicPartition[]): void | Promise<void>;
  stop(): void | Promise<void>;
}

export type SourceTaskClass = new () => SourceTask;
export type SinkTaskClass = new () => SinkTask;
