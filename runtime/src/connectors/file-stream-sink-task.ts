// Kafka's FileStreamSinkTask: `println(record.value())` into a file opened
// for append (or stdout), flushed when the framework commits offsets.
import { open, type FileHandle } from 'node:fs/promises';
import {
  ConnectError,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskProps,
  type TopicPartition,
} from '../sdk/index.js';
import { parseFileStreamSinkConfig } from './file-stream-sink-config.js';
import { javaString } from './java-string.js';
import { CONNECTORS_VERSION } from './version.js';

interface Output {
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export class FileStreamSinkTask implements SinkTask {
  private filename: string | null = null;
  private output: Output | null = null;
  private pending: string[] = [];
  /** Writes run one after another even if stop() races a put(), so lines never interleave. */
  private writing: Promise<void> = Promise.resolve();

  version(): string {
    return CONNECTORS_VERSION;
  }

  async start(props: TaskProps, _context?: SinkTaskContext): Promise<void> {
    this.filename = parseFileStreamSinkConfig(props).file;
    if (this.filename === null) {
      this.output = stdoutOutput();
      return;
    }
    try {
      // Append and create, as Kafka opens it: a restarted task adds to what is there.
      this.output = fileOutput(await open(this.filename, 'a'));
    } catch (err) {
      throw new ConnectError(
        `Couldn't find or create file '${this.filename}' for FileStreamSinkTask: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One string per batch: far cheaper than one write (or one array slot) per record.
    let chunk = '';
    for (const record of records) chunk += javaString(record.value, record.valueSchema) + '\n';
    this.pending.push(chunk);
    // Kafka's PrintStream hands every line to the OS at once, so `tail -f`
    // shows records as they arrive; one write per batch keeps that cheap.
    await this.writePending();
  }

  /** Everything put so far reaches the file (the OS), as Kafka's PrintStream.flush does. */
  async flush(_offsets?: Map<TopicPartition, number>): Promise<void> {
    await this.writePending();
  }

  async stop(): Promise<void> {
    const output = this.output;
    if (!output) return;
    // Closing Kafka's PrintStream flushes it: lines put but not yet flushed are still written.
    try {
      await this.writePending();
    } finally {
      this.output = null;
      await output.close();
    }
  }

  private writePending(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const data = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    const output = this.output;
    if (!output) return Promise.reject(new ConnectError('FileStreamSinkTask is not started'));
    this.writing = this.writing.then(() =>
      output.write(data).catch((err: unknown) => {
        throw new ConnectError(`Error writing to ${this.describe()}: ${(err as Error).message}`, { cause: err });
      }),
    );
    return this.writing;
  }

  private describe(): string {
    return this.filename === null ? 'stdout' : `file '${this.filename}'`;
  }
}

function fileOutput(handle: FileHandle): Output {
  return {
    async write(data) {
      // write() may write less than asked; in append mode each call appends at the end.
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

function stdoutOutput(): Output {
  return {
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
      }),
    // stdout belongs to the process, not to the task.
    close: async () => {},
  };
}
