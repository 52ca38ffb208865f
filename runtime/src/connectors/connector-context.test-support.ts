// Test support shared by the connector tests: an in-memory offset store,
// task contexts and temp directories. Not used by the connectors themselves.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  OffsetStorageReader,
  SinkTaskContext,
  SourceOffset,
  SourcePartition,
  SourceRecord,
  SourceTask,
  SourceTaskContext,
  TaskProps,
} from '../sdk/index.js';

/** Offsets keyed by the JSON of their partition, as a real store would compare them. */
export class InMemoryOffsetStorageReader implements OffsetStorageReader {
  private readonly offsetsByKey = new Map<string, SourceOffset>();

  set(partition: SourcePartition, offset: SourceOffset): this {
    this.offsetsByKey.set(JSON.stringify(partition), offset);
    return this;
  }

  /** Records what a worker would commit after these records were acknowledged. */
  commit(records: readonly SourceRecord[]): this {
    for (const r of records) if (r.sourcePartition && r.sourceOffset) this.set(r.sourcePartition, r.sourceOffset);
    return this;
  }

  async offset(partition: SourcePartition): Promise<SourceOffset | null> {
    return this.offsetsByKey.get(JSON.stringify(partition)) ?? null;
  }

  async offsets(partitions: SourcePartition[]): Promise<Map<SourcePartition, SourceOffset | null>> {
    const out = new Map<SourcePartition, SourceOffset | null>();
    for (const p of partitions) out.set(p, await this.offset(p));
    return out;
  }
}

export function sourceContext(
  configs: TaskProps,
  reader: OffsetStorageReader = new InMemoryOffsetStorageReader(),
): SourceTaskContext {
  return { configs, offsetStorageReader: reader };
}

export function sinkContext(configs: TaskProps): SinkTaskContext {
  return {
    configs,
    offset: () => {},
    timeout: () => {},
    assignment: () => [],
    pause: () => {},
    resume: () => {},
    requestCommit: () => {},
  };
}

/** Polls until `count` records arrived (or the time is up), as a worker would. */
export async function pollRecords(task: SourceTask, count: number, timeoutMs = 10_000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const batch = await task.poll();
    if (batch) out.push(...batch);
  }
  return out;
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{
  dir: string;
  file: (name: string) => string;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-connectors-'));
  return {
    dir,
    file: (name) => path.join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
