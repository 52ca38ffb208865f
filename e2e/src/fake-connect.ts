// A Connect REST API on a real local HTTP server, with connectors kept in
// memory, that can be told to misbehave: answer every request with a 5xx, or
// accept connections and never answer (a hanging worker). For the operator's
// fault tests and benchmarks, where many clusters or broken workers are
// needed and real workers would cost too much or could not fail on cue. It
// speaks Kafka Connect's paths and shapes as far as the operator uses them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMode = 'ok' | 'error' | 'hang';

interface Stored {
  config: Record<string, string>;
  state: 'RUNNING' | 'PAUSED' | 'STOPPED';
}

export class FakeConnect {
  mode: FakeMode = 'ok';
  /** requests seen, by "METHOD /path" (query stripped) */
  readonly requests: string[] = [];
  readonly connectors = new Map<string, Stored>();
  private server: http.Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.requests.push(`${req.method} ${path}`);
      if (this.mode === 'hang') return; // never answer; the client's timeout ends it
      if (this.mode === 'error') return send(res, 500, { error_code: 500, message: 'fake worker failure' });
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      } catch {
        return send(res, 400, { error_code: 400, message: 'bad JSON' });
      }
      this.route(req.method ?? 'GET', path, body, res);
    });
  }

  private route(method: string, path: string, body: unknown, res: http.ServerResponse): void {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const notFound = () => send(res, 404, { error_code: 404, message: `Connector ${parts[1]} not found` });
    if (path === '/health' || path === '/') return send(res, 200, { status: 'healthy' });
    if (path === '/connector-plugins')
      return send(res, 200, [{ class: 'FileStreamSource', type: 'source', version: '1' }]);
    if (parts[0] === 'admin') return send(res, 200, []);
    if (parts[0] !== 'connectors') return send(res, 404, { error_code: 404, message: 'no such path' });
    if (parts.length === 1) {
      if (method === 'GET') return send(res, 200, [...this.connectors.keys()]);
      if (method === 'POST') {
        const b = body as { name: string; config: Record<string, string>; initial_state?: Stored['state'] };
        if (this.connectors.has(b.name)) return send(res, 409, { error_code: 409, message: 'already exists' });
        this.connectors.set(b.name, { config: { ...b.config, name: b.name }, state: b.initial_state ?? 'RUNNING' });
        return send(res, 201, { name: b.name, config: b.config, tasks: [] });
      }
    }
    const name = parts[1]!;
    const c = this.connectors.get(name);
    const sub = parts[2];
    if (parts.length === 2 && method === 'DELETE') {
      if (!c) return notFound();
      this.connectors.delete(name);
      return send(res, 204, undefined);
    }
    if (sub === 'config' && method === 'PUT') {
      const created = !c;
      this.connectors.set(name, { config: body as Record<string, string>, state: c?.state ?? 'RUNNING' });
      return send(res, created ? 201 : 200, { name, config: body, tasks: [] });
    }
    if (!c) return notFound();
    if (sub === 'config') return send(res, 200, c.config);
    if (sub === 'status')
      return send(res, 200, {
        name,
        connector: { state: c.state, worker_id: this.url },
        tasks: c.state === 'STOPPED' ? [] : [{ id: 0, state: c.state, worker_id: this.url }],
        type: 'source',
      });
    if (sub === 'topics') return send(res, 200, { [name]: { topics: [] } });
    if (sub === 'pause' || sub === 'resume' || sub === 'stop') {
      c.state = sub === 'pause' ? 'PAUSED' : sub === 'stop' ? 'STOPPED' : 'RUNNING';
      return send(res, 202, undefined);
    }
    if (sub === 'restart') return send(res, 204, undefined);
    if (sub === 'offsets') return send(res, 200, { offsets: [] });
    return send(res, 404, { error_code: 404, message: 'no such path' });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
