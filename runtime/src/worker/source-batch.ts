// What a source task's poll becomes before it is delivered: its records
// transformed and converted into Kafka messages grouped by topic, with the
// newest source offset of each source partition. Both deliveries
// (at-least-once and transactional) send such batches; nothing here touches
// Kafka.
import type { Message } from 'kafkajs';
import type { Header, SourceOffset, SourcePartition, SourceRecord } from '../sdk/index.js';
import { canonicalJson } from '../util/json.js';
import type { ConverterSet } from './converters.js';
import { SKIPPED, type ErrorHandler } from './error-handler.js';
import type { TransformationChain } from './transformation-chain.js';

/**
 * At most this many records go in one produce request; a bigger poll is sent
 * in parts. kafkajs holds a request's messages and its encoded copies until
 * the ack, so its size is what stays alive (and gets promoted by the GC): with
 * 1000 instead of FileStreamSource's 2000 the source's peak RSS fell from
 * ~210 to ~130 MB, and it was faster.
 */
export const MAX_RECORDS_PER_SEND = 1000;

export interface PendingOffset {
  readonly partition: SourcePartition;
  readonly offset: SourceOffset;
}

/** Records of one poll (or part of one), converted and ready to produce. */
export interface PreparedBatch {
  readonly byTopic: Map<string, Message[]>;
  /** the newest offset of each source partition in the batch, by canonical partition */
  readonly offsets: Map<string, PendingOffset>;
  readonly keptCount: number;
  /** the records produced and those skipped: only filled for a task with commitRecord */
  readonly kept: SourceRecord[];
  readonly dropped: SourceRecord[];
}

/** The per-record stages between a source task and Kafka. */
export interface SourcePipeline {
  readonly transforms: TransformationChain;
  readonly converters: ConverterSet;
  readonly errors: ErrorHandler;
}

/**
 * Transforms and converts one poll's records (or a part of them), grouping
 * the messages by topic. `commitRecords`: keep the records for the task's
 * commitRecord; else they are let go here, young, rather than held while the
 * batch is in flight.
 */
export async function prepareBatch(
  records: SourceRecord[],
  pipeline: SourcePipeline,
  commitRecords: boolean,
): Promise<PreparedBatch> {
  const { transforms, errors } = pipeline;
  const byTopic = new Map<string, Message[]>();
  const kept: SourceRecord[] = [];
  const dropped: SourceRecord[] = [];
  let keptCount = 0;
  for (const original of records) {
    // executeSync returns a Promise only while handling a failure: awaiting
    // just then spares the happy path a microtask per record.
    let transformed =
      transforms.size === 0
        ? original
        : errors.executeSync({ stage: 'TRANSFORMATION', className: 'TransformationChain', record: original }, () =>
            transforms.apply(original),
          );
    if (transformed instanceof Promise) transformed = await transformed;
    if (transformed === null || transformed === SKIPPED) {
      if (commitRecords) dropped.push(original);
      continue;
    }
    let message = toMessage(transformed, pipeline);
    if (message instanceof Promise) message = await message;
    if (message === SKIPPED) {
      if (commitRecords) dropped.push(original);
      continue;
    }
    let list = byTopic.get(transformed.topic);
    if (!list) byTopic.set(transformed.topic, (list = []));
    list.push(message);
    keptCount++;
    if (commitRecords) kept.push(original);
  }
  return { byTopic, offsets: latestOffsets(records), keptCount, kept, dropped };
}

/** A record as a Kafka message; a Promise only when a failure is being handled (it resolves to SKIPPED). */
function toMessage(
  record: SourceRecord,
  { converters, errors }: SourcePipeline,
): Message | typeof SKIPPED | Promise<typeof SKIPPED> {
  const topic = record.topic;
  const key = errors.executeSync({ stage: 'KEY_CONVERTER', className: converters.keyClass, record }, () =>
    converters.key.fromConnectData(topic, record.keySchema, record.key, record.headers),
  );
  if (key === SKIPPED || key instanceof Promise) return key;
  const value = errors.executeSync({ stage: 'VALUE_CONVERTER', className: converters.valueClass, record }, () =>
    converters.value.fromConnectData(topic, record.valueSchema, record.value, record.headers),
  );
  if (value === SKIPPED || value instanceof Promise) return value;
  let headers: Record<string, Buffer> | undefined;
  if (record.headers && record.headers.length > 0) {
    const converted = errors.executeSync({ stage: 'HEADER_CONVERTER', className: converters.headerClass, record }, () =>
      convertHeaders(converters, topic, record.headers!),
    );
    if (converted === SKIPPED || converted instanceof Promise) return converted;
    headers = converted;
  }
  return {
    key,
    value,
    headers,
    partition: record.kafkaPartition ?? undefined,
    timestamp: record.timestamp != null ? String(record.timestamp) : undefined,
  };
}

function convertHeaders(converters: ConverterSet, topic: string, headers: readonly Header[]): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const h of headers) {
    const bytes = converters.header.fromConnectHeader(topic, h.key, h.schema, h.value);
    if (bytes) out[h.key] = bytes;
  }
  return out;
}

/** The newest offset per source partition, in the order the partitions first appear. */
export function latestOffsets(records: readonly SourceRecord[]): Map<string, PendingOffset> {
  const offsets = new Map<string, PendingOffset>();
  // Records of one partition usually share one object: its canonical key is computed once per run.
  let lastPartition: SourcePartition | null = null;
  let lastKey = '';
  let last: SourceRecord | null = null;
  for (const r of records) {
    if (!r.sourcePartition || !r.sourceOffset) continue;
    if (r.sourcePartition !== lastPartition) {
      if (last) offsets.set(lastKey, { partition: last.sourcePartition!, offset: last.sourceOffset! });
      lastPartition = r.sourcePartition;
      lastKey = canonicalJson(lastPartition);
    }
    last = r;
  }
  if (last) offsets.set(lastKey, { partition: last.sourcePartition!, offset: last.sourceOffset! });
  return offsets;
}
