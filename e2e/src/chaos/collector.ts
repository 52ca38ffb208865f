// Where the chaos run's sinks deliver: an HTTP server on the node's address
// (pods reach it there) taking the HttpSink's JSON arrays of DataGen values.
// It keeps, per pipeline (the URL path), how often each record id arrived and
// which injection was current when it first arrived, so that the end of the
// run can count what was lost and duplicated, and say after which fault.
// Memory stays small over a long run: two typed arrays per pipeline.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Arrivals of one pipeline, by DataGen record id (task + seq * tasks). */
export class Arrivals {
  private counts = new Uint16Array(1 << 16);
  private firstAt = new Uint16Array(1 << 16);
  /** requests and records received (duplicates included) */
  received = 0;
  /** the highest id that arrived (-1: none) */
  top = -1;
  /** duplicate arrivals, by the injection current when they arrived */
  readonly duplicatesByInjection = new Map<number, number>();

  /** The highest id that arrived, per source task (-1: none yet). */
  maxSeq(task: number, tasks: number): number {
    for (let id = this.top; id >= 0; id--) {
      if (id % tasks === task && this.counts[id]! > 0) return Math.floor(id / tasks);
    }
    return -1;
  }

  count(id: number): number {
    return id < this.counts.length ? this.counts[id]! : 0;
  }

  /** The injection current when `id` first arrived. */
  injectionOf(id: number): number {
    return id < this.firstAt.length ? this.firstAt[id]! : 0;
  }

  add(id: number, injection: number): void {
    if (id >= this.counts.length) this.grow(id);
    const n = this.counts[id]!;
    if (n === 0) this.firstAt[id] = injection;
    else this.duplicatesByInjection.set(injection, (this.duplicatesByInjection.get(injection) ?? 0) + 1);
    if (n < 0xffff) this.counts[id] = n + 1;
    if (id > this.top) this.top = id;
    this.received++;
  }

  private grow(id: number): void {
    let size = this.counts.length;
    while (size <= id) size *= 2;
    const counts = new Uint16Array(size);
    counts.set(this.counts);
    const firstAt = new Uint16Array(size);
    firstAt.set(this.firstAt);
    this.counts = counts;
    this.firstAt = firstAt;
  }
}

export class Collector {
  readonly pipelines = new Map<string, Arrivals>();
  /** the number of the injection under way (0: none yet); stamped on arrivals */
  injection = 0;
  private server: http.Server | undefined;

  arrivals(pipeline: string): Arrivals {
    let a = this.pipelines.get(pipeline);
    if (!a) this.pipelines.set(pipeline, (a = new Arrivals()));
    return a;
  }

  /** Listens on host (the node's address); returns the base URL. */
  async start(host: string): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, host, resolve);
    });
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('body is not JSON');
      return;
    }
    const pipeline = (req.url ?? '/').replace(/^\//, '');
    const a = this.arrivals(pipeline);
    for (const v of Array.isArray(body) ? body : [body]) {
      const id = (v as { id?: unknown })?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) a.add(id, this.injection);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }
}
