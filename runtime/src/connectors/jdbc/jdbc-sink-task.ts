// The PostgreSQL sink task: each put() is one transaction. Records the
// database refuses (bad values, constraint violations) are found one by one
// and go to errors.tolerance / the dead letter queue; an unreachable database
// is retried flush.max.retries times, then the task fails with the reason.
import {
  ConnectError,
  DataError,
  RecordRejectedError,
  type ErrantRecordReporter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskProps,
} from '../../sdk/index.js';
import { CONNECTORS_VERSION } from '../version.js';
import { parseJdbcSinkConfig, type JdbcSinkConfig } from './jdbc-sink-config.js';
import { describeConnection } from './jdbc-url.js';
import { describePgError, isConnectionError, isRecordError } from './pg-errors.js';
import { PgWriter, type Item } from './pg-writer.js';
import { qualified } from './sql.js';
import { toSinkOp, where } from './sink-op.js';

export class JdbcSinkTask implements SinkTask {
  private config!: JdbcSinkConfig;
  private writer: PgWriter | undefined;
  private reporter: ErrantRecordReporter | undefined;
  private stopped = false;

  version(): string {
    return CONNECTORS_VERSION;
  }

  start(props: TaskProps, context?: SinkTaskContext): void {
    this.config = parseJdbcSinkConfig(props);
    this.writer = new PgWriter(this.config);
    this.reporter = context?.errantRecordReporter;
  }

  async put(records: SinkRecord[]): Promise<void> {
    const items: Item[] = [];
    for (const record of records) {
      let op;
      try {
        op = toSinkOp(record, this.config);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        await this.refuse(record, err);
        continue;
      }
      if (op.kind !== 'skip') items.push({ record, op });
    }
    if (items.length === 0) return;
    const writer = this.writer!;
    let oneByOne = false;
    for (let retry = 0; ; retry++) {
      try {
        if (oneByOne)
          await writer.writeEach(items, isRecordError, (item, err) => this.refuse(item.record, dbRefusal(item, err)));
        else await writer.writeBatch(items);
        return;
      } catch (err) {
        if (isRecordError(err) && !oneByOne) {
          // Some record of the batch is at fault: find it (them) one by one.
          oneByOne = true;
          retry--;
          continue;
        }
        if (!isConnectionError(err)) {
          if (err instanceof ConnectError) throw err;
          throw new ConnectError(
            `Writing to PostgreSQL at ${describeConnection(this.config.connection)} failed: ${describePgError(err)}`,
            { cause: err },
          );
        }
        await writer.reset();
        if (this.stopped || retry >= this.config.flushMaxRetries)
          throw new ConnectError(
            `Cannot reach PostgreSQL at ${describeConnection(this.config.connection)} ` +
              `(${retry} retries, flush.max.retries=${this.config.flushMaxRetries}): ${describePgError(err)}`,
            { cause: err },
          );
        await new Promise((r) => setTimeout(r, this.config.flushRetryDelayMs));
      }
    }
  }

  /** put() already committed: nothing is held back. */
  flush(): void {}

  async stop(): Promise<void> {
    this.stopped = true;
    await this.writer?.close();
  }

  private async refuse(record: SinkRecord, error: Error): Promise<void> {
    if (!this.reporter) throw error;
    await this.reporter(record, error);
  }
}

function dbRefusal(item: Item, err: unknown): Error {
  const code = (err as { code?: string }).code ?? '';
  return new RecordRejectedError(`${where(item.record)} into ${qualified(item.op.table)}: ${describePgError(err)}`, {
    '__connect.errors.sql.state': code,
  });
}
