// The HTTP sink task: renders record values as JSON, groups them into
// batches (by count, bytes and linger time) and sends the batches one after
// another, so records reach the endpoint in the order they were put (and so
// in order per partition). 5xx, 408, 429, timeouts and network errors are
// retried with backoff; a refused batch (4xx) is split until the refused
// records are found, and each goes to errors.tolerance / the dead letter queue.
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  ConnectError,
  DataError,
  RecordRejectedError,
  type ErrantRecordReporter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskProps,
  type TopicPartition,
} from '../../sdk/index.js';
import { CONNECTORS_VERSION } from '../version.js';
import { HttpClient } from './http-client.js';
import { parseHttpSinkConfig, type HttpSinkConfig } from './http-sink-config.js';
import { renderValue } from './json-value.js';
import { retryDelay, type Outcome } from './retry-policy.js';

/** Headers a refused record carries into the dead letter queue. */
export const DLQ_STATUS_HEADER = '__connect.errors.http.response.status.code';
export const DLQ_BODY_HEADER = '__connect.errors.http.response.body';

interface Item {
  readonly record: SinkRecord;
  readonly body: string;
}

export class HttpSinkTask implements SinkTask {
  private config!: HttpSinkConfig;
  private client: HttpClient | undefined;
  private reporter: ErrantRecordReporter | undefined;
  private buffer: Item[] = [];
  private bufferBytes = 0;
  /** every dispatched batch, in order; never rejects (a failure is kept in `failure`) */
  private sending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private linger: NodeJS.Timeout | undefined;
  private readonly stopped = new AbortController();

  version(): string {
    return CONNECTORS_VERSION;
  }

  start(props: TaskProps, context?: SinkTaskContext): void {
    this.config = parseHttpSinkConfig(props);
    let ca = this.config.caPem ?? undefined;
    if (!ca && this.config.caFile) {
      try {
        ca = readFileSync(this.config.caFile, 'utf8');
      } catch (err) {
        throw new ConfigError('ssl.ca.file', `cannot read "${this.config.caFile}": ${(err as Error).message}`);
      }
    }
    this.client = new HttpClient({
      url: this.config.url,
      method: this.config.method,
      headers: this.config.headers,
      timeoutMs: this.config.timeoutMs,
      ...(ca ? { ca } : {}),
    });
    this.reporter = context?.errantRecordReporter;
  }

  async put(records: SinkRecord[]): Promise<void> {
    this.throwIfFailed();
    const { maxRecords, maxBytes, lingerMs, valueFormat, nullValues } = this.config;
    for (const record of records) {
      if (record.value === null || record.value === undefined) {
        if (nullValues === 'fail')
          throw new DataError(
            `Null value in ${where(record)} and behavior.on.null.values=fail: the HTTP sink sends values only`,
          );
        continue;
      }
      const body = renderValue(record.value, record.valueSchema, valueFormat);
      const bytes = Buffer.byteLength(body) + 1;
      if (this.buffer.length > 0 && this.bufferBytes + bytes > maxBytes) this.dispatch();
      this.buffer.push({ record, body });
      this.bufferBytes += bytes;
      if (this.buffer.length >= maxRecords) this.dispatch();
    }
    if (this.buffer.length > 0) {
      if (lingerMs === 0) this.dispatch();
      else this.linger ??= setTimeout(() => this.dispatch(), lingerMs);
    }
    // Back-pressure: the full batches of this put are delivered before it returns.
    await this.sending;
    this.throwIfFailed();
  }

  /** Everything put so far is delivered (or reported as refused); throws what stopped a delivery. */
  async flush(_offsets?: Map<TopicPartition, number>): Promise<void> {
    this.dispatch();
    await this.sending;
    this.throwIfFailed();
  }

  /** Partitions move to another task: what was put for them is sent now, before the other task reads them. */
  async close(_partitions?: TopicPartition[]): Promise<void> {
    this.dispatch();
    await this.sending;
  }

  stop(): void {
    clearTimeout(this.linger);
    this.stopped.abort();
    this.client?.close();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private dispatch(): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    if (this.buffer.length === 0) return;
    const items = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    this.sending = this.sending
      .then(() => this.deliver(items))
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new ConnectError(String(err));
      });
  }

  private async deliver(items: Item[]): Promise<void> {
    if (this.failure || this.stopped.signal.aborted) return;
    if (this.config.asArray) await this.sendGroup(items);
    else for (const item of items) await this.sendGroup([item]);
  }

  /** Sends items as one request; a refused group is halved until each refused record stands alone. */
  private async sendGroup(items: Item[]): Promise<void> {
    const text = this.config.asArray ? `[${items.map((i) => i.body).join(',')}]` : items[0]!.body;
    const outcome = await this.attempt(Buffer.from(text, 'utf8'), items);
    if (outcome.kind === 'delivered') return;
    if (items.length > 1) {
      const half = Math.ceil(items.length / 2);
      await this.sendGroup(items.slice(0, half));
      await this.sendGroup(items.slice(half));
      return;
    }
    await this.refuse(items[0]!, outcome);
  }

  /** One request, retried while the outcome says so, up to max.retries. */
  private async attempt(body: Buffer, items: Item[]): Promise<Exclude<Outcome, { kind: 'retry' }>> {
    const { maxRetries, method, url } = this.config;
    for (let retry = 1; ; retry++) {
      const outcome = await this.client!.send(body, this.stopped.signal);
      if (this.stopped.signal.aborted) throw new ConnectError('HTTP sink task stopped during a delivery');
      if (outcome.kind !== 'retry') return outcome;
      if (maxRetries >= 0 && retry > maxRetries)
        throw new ConnectError(
          `${method} ${safeUrl(url)} of ${items.length} record(s) from ${where(items[0]!.record)} failed after ` +
            `${maxRetries} retries: ${outcome.reason}`,
        );
      await sleep(retryDelay(retry, this.config, outcome.retryAfterMs), this.stopped.signal);
    }
  }

  private async refuse(item: Item, outcome: { status: number; body: string }): Promise<void> {
    const { method, url } = this.config;
    const error = new RecordRejectedError(
      `${method} ${safeUrl(url)} refused the record ${where(item.record)} with HTTP ${outcome.status}: ${outcome.body}`,
      { [DLQ_STATUS_HEADER]: String(outcome.status), [DLQ_BODY_HEADER]: outcome.body },
    );
    if (!this.reporter) throw error;
    await this.reporter(item.record, error);
  }
}

function where(record: SinkRecord): string {
  return `${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}`;
}

/** The URL without user info or query (either may hold a credential). */
function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
