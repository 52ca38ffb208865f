// One JSON document on the worker's volume, replaced atomically. Writes are
// serialized; a failed write is retried a few times with backoff, then
// reported as StoreUnavailableError, and never blocks the writes after it
// (a rejected link used to break the chain for good: after one failure
// every later write failed until a restart). Callers apply a change to
// their memory only once its write succeeded, so memory and disk agree.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../util/atomic-file.js';
import { StoreUnavailableError } from '../errors.js';

export interface DurableFileOptions {
  /** attempts per write (default 3) */
  readonly attempts?: number;
  /** delay before the first retry, doubled each time (default 100 ms) */
  readonly retryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly write?: (file: string, data: string) => Promise<void>;
}

export class DurableFile {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly write: (file: string, data: string) => Promise<void>;

  constructor(
    readonly file: string,
    options: DurableFileOptions = {},
  ) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.write = options.write ?? writeFileAtomic;
  }

  /** The document as last written; undefined when there is none yet (its directory is created). */
  async read(): Promise<string | undefined> {
    await mkdir(path.dirname(this.file), { recursive: true });
    return readFileIfExists(this.file);
  }

  /**
   * Writes the document `render()` returns (called when the write's turn
   * comes, so it sees every change committed before), then runs `commit`.
   * Rejects with StoreUnavailableError, without running `commit`, when the
   * write failed every attempt.
   */
  update<T>(render: () => string, commit: () => T): Promise<T> {
    const run = this.chain.then(async () => {
      await this.writeWithRetries(render());
      return commit();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeWithRetries(data: string): Promise<void> {
    let delay = this.retryDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(this.file, data);
        return;
      } catch (err) {
        if (attempt >= this.attempts) {
          const reason = (err as Error).message;
          throw new StoreUnavailableError(`Cannot write ${this.file}: ${reason}; nothing was changed, retry later`, {
            cause: err,
          });
        }
        await this.sleep(delay);
        delay *= 2;
      }
    }
  }
}
