// Starts a REST server over a FakeHerder on an ephemeral port, and small
// HTTP helpers: `call` via fetch, `raw` via a plain socket for requests fetch
// refuses to send (bad encodings, slow or oversized uploads).
import { connect } from 'node:net';
import { createRestServer, type RestServer, type RestServerOptions } from './server.js';
import type { RestLogger } from './types.js';
import { FakeHerder } from './fake-herder.test-support.js';

export class RecordingLogger implements RestLogger {
  readonly entries: Array<{ level: string; msg: string; meta?: Record<string, unknown> }> = [];
  info(msg: string, meta?: Record<string, unknown>) {
    this.entries.push({ level: 'info', msg, ...(meta ? { meta } : {}) });
  }
  warn(msg: string, meta?: Record<string, unknown>) {
    this.entries.push({ level: 'warn', msg, ...(meta ? { meta } : {}) });
  }
  error(msg: string, meta?: Record<string, unknown>) {
    this.entries.push({ level: 'error', msg, ...(meta ? { meta } : {}) });
  }
  debug(msg: string, meta?: Record<string, unknown>) {
    this.entries.push({ level: 'debug', msg, ...(meta ? { meta } : {}) });
  }
}

export interface TestServer {
  server: RestServer;
  herder: FakeHerder;
  logger: RecordingLogger;
  base: string;
  port: number;
}

export async function startTestServer(options: Partial<RestServerOptions> = {}): Promise<TestServer> {
  const herder = (options.herder as FakeHerder | undefined) ?? new FakeHerder();
  const logger = new RecordingLogger();
  const server = createRestServer({ logger, host: '127.0.0.1', port: 0, shutdownGraceMs: 200, ...options, herder });
  const { port } = await server.start();
  return { server, herder, logger, base: server.url, port };
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;

  body: any;
}

/** A JSON request with fetch; `body` is sent as JSON unless it is already a string. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<CallResult> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json', ...headers };
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/**
 * Writes raw bytes to the server and collects everything it answers until it
 * closes the connection (or `timeoutMs` passes). `chunks` are written with a
 * small pause between them.
 */
export function raw(
  port: number,
  chunks: Array<string | Buffer>,
  opts: { timeoutMs?: number; gapMs?: number } = {},
): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(received).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 3_000);
    socket.on('data', (d) => received.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (done || socket.destroyed) return;
        socket.write(chunk);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
    });
  });
}

/** Status code and JSON body of a raw HTTP/1.1 response. */
export function parseRaw(response: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
  const sep = response.indexOf('\r\n\r\n');
  const text = sep >= 0 ? response.slice(sep + 4) : '';
  if (!text) return { status, body: undefined };
  try {
    return { status, body: JSON.parse(text) };
  } catch {
    return { status, body: text };
  }
}
