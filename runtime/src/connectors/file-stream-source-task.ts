// Kafka's FileStreamSourceTask: reads lines from a file (or stdin) and turns
// each into a record whose offset is the byte position after the line.
import {
  ConnectError,
  Schemas,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskProps,
} from '../sdk/index.js';
import { FileByteSource, StreamByteSource, type ByteSource } from './byte-source.js';
import { FILENAME_FIELD, POSITION_FIELD, parseFileStreamSourceConfig } from './file-stream-source-config.js';
import { LineReader } from './line-reader.js';
import { sleep } from './sleep.js';
import { CONNECTORS_VERSION } from './version.js';

/** Kafka waits 1 s between checks for a missing file. */
export const MISSING_FILE_WAIT_MS = 1000;
/** How often a poll at the end of the file looks for more data: short, so a tailed file is followed closely. */
export const TAIL_CHECK_MS = 100;
/** How long one poll may wait for data before returning null, so the worker can pause, stop or commit. */
export const MAX_POLL_WAIT_MS = 1000;

export class FileStreamSourceTask implements SourceTask {
  private filename: string | null = null;
  private topic = '';
  private batchSize = 0;
  private partition: SourcePartition | null = null;
  private startPosition = 0;
  private source: ByteSource | null = null;
  private reader: LineReader | null = null;
  private readonly stopping = new AbortController();

  version(): string {
    return CONNECTORS_VERSION;
  }

  async start(props: TaskProps, context: SourceTaskContext): Promise<void> {
    const config = parseFileStreamSourceConfig(props);
    this.filename = config.file;
    this.topic = config.topic;
    this.batchSize = config.batchSize;
    if (this.filename === null) {
      // stdin has no positions to resume from, so records carry no offsets.
      this.source = new StreamByteSource(process.stdin);
      this.reader = new LineReader(0);
      return;
    }
    // One frozen object shared by every record: nothing copies or mutates it.
    this.partition = Object.freeze({ [FILENAME_FIELD]: this.filename });
    const offset = await context.offsetStorageReader.offset(this.partition);
    this.startPosition = positionOf(offset, this.filename);
  }

  async poll(): Promise<SourceRecord[] | null> {
    const signal = this.stopping.signal;
    if (signal.aborted) return null;
    if (!this.source && !(await this.openFile())) return null;
    const source = this.source!;
    const reader = this.reader!;
    const deadline = Date.now() + MAX_POLL_WAIT_MS;
    const records: SourceRecord[] = [];
    const timestamp = Date.now();
    for (;;) {
      // Lines already read come first: a previous poll may have stopped at batch.size.
      let line: string | null;
      while (records.length < this.batchSize && (line = reader.nextLine()) !== null) {
        records.push(this.record(line, reader.position, timestamp));
      }
      if (records.length >= this.batchSize) return records;
      let n: number;
      try {
        n = await reader.fill(source.read);
      } catch (err) {
        if (signal.aborted) return records.length > 0 ? records : null;
        throw new ConnectError(`Error while reading from ${this.describe()}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (n > 0) continue;
      // Nothing more for now: hand over what we have, else wait a little for the file to grow.
      if (records.length > 0) return records;
      if (signal.aborted || Date.now() >= deadline) return null;
      await sleep(TAIL_CHECK_MS, signal);
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    const source = this.source;
    this.source = null;
    // FileHandle.close waits for a read in flight, so a concurrent poll is not cut mid-read.
    await source?.close();
  }

  private record(line: string, position: number, timestamp: number): SourceRecord {
    return {
      sourcePartition: this.partition,
      sourceOffset: this.partition ? ({ [POSITION_FIELD]: position } as SourceOffset) : null,
      topic: this.topic,
      keySchema: null,
      key: null,
      valueSchema: Schemas.STRING,
      value: line,
      timestamp,
    };
  }

  /**
   * Opens the file lazily, from poll, as Kafka does: a missing file is not
   * an error, the task waits for it to appear (checking once a second).
   */
  private async openFile(): Promise<boolean> {
    const filename = this.filename!;
    try {
      this.source = await FileByteSource.open(filename);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        await sleep(MISSING_FILE_WAIT_MS, this.stopping.signal);
        return false;
      }
      throw new ConnectError(`Couldn't open ${this.describe()}: ${(err as Error).message}`, { cause: err });
    }
    if (this.stopping.signal.aborted) {
      // stop() ran while we were opening: it could not close what it did not see.
      await this.source.close();
      this.source = null;
      return false;
    }
    this.reader = new LineReader(this.startPosition);
    return true;
  }

  private describe(): string {
    return this.filename === null ? 'stdin' : `file '${this.filename}'`;
  }
}

/** The stored position, tolerating the shapes a JSON or Long round trip may give it. */
function positionOf(offset: SourceOffset | null, filename: string): number {
  if (!offset) return 0;
  const raw = offset[POSITION_FIELD];
  const position = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' ? Number(raw) : raw;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw new ConnectError(
      `Invalid offset for file '${filename}': '${POSITION_FIELD}' must be a non-negative integer, got ${JSON.stringify(
        typeof raw === 'bigint' ? String(raw) : raw,
      )}`,
    );
  }
  return position;
}
