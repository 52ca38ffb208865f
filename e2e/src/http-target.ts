// A real HTTP(S) server for sink tests that fails on demand: scripted or
// random 500s, 429s with Retry-After, slow answers and dropped connections,
// and 400 for any request carrying a record the test calls bad. It keeps
// every body it accepted, in arrival order.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { readonly kind: 'ok' }
  /** answer with this status (and Retry-After seconds, if given) without accepting the body */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  /** accept the body, then answer only after delayMs (a client with a shorter timeout gives up and retries) */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** read the body, then destroy the connection without an answer */
  | { readonly kind: 'drop' };

export interface Accepted {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

export interface HttpTargetOptions {
  /** behaviours for the next requests, in order; then `chaos` (or ok) decides */
  readonly script?: Behaviour[];
  /** decides the behaviour of each request once the script is used up */
  readonly chaos?: () => Behaviour;
  /** a request whose JSON body holds a value for which this is true gets a 400 (nothing accepted) */
  readonly isBad?: (value: unknown) => boolean;
  readonly tls?: { readonly key: string; readonly cert: string };
}

export class HttpTarget {
  readonly accepted: Accepted[] = [];
  readonly counts = { requests: 0, ok: 0, status: 0, slow: 0, drop: 0, bad: 0 };
  private readonly script: Behaviour[];
  private server: http.Server | undefined;

  constructor(private readonly opts: HttpTargetOptions = {}) {
    this.script = [...(opts.script ?? [])];
  }

  /** Starts listening on 127.0.0.1 and returns the base URL. */
  async start(): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = this.opts.tls ? https.createServer(this.opts.tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Every accepted value, flattened (an array body counts as its elements). */
  values(): unknown[] {
    return this.accepted.flatMap((a) => (Array.isArray(a.body) ? a.body : [a.body]));
  }

  private next(): Behaviour {
    return this.script.shift() ?? this.opts.chaos?.() ?? { kind: 'ok' };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.counts.requests++;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('body is not JSON');
      return;
    }
    const values = Array.isArray(body) ? body : [body];
    if (this.opts.isBad && values.some((v) => this.opts.isBad!(v))) {
      this.counts.bad++;
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad record"}');
      return;
    }
    const behaviour = this.next();
    this.counts[behaviour.kind]++;
    const accept = () =>
      this.accepted.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    switch (behaviour.kind) {
      case 'ok':
        accept();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      case 'status':
        res
          .writeHead(behaviour.status, behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {})
          .end(behaviour.body ?? '');
        return;
      case 'slow':
        accept();
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200).end('{}');
        }, behaviour.delayMs);
        return;
      case 'drop':
        req.socket.destroy();
        return;
    }
  }
}
