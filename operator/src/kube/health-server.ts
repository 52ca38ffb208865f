// Probes and metrics over plain HTTP for the kubelet and Prometheus:
//  /healthz: the process answers (liveness; restarting would not help otherwise);
//  /readyz:  the caches are synced (readiness). Leadership is reported but not
//            required: a standby replica is healthy and ready to take over;
//  /metrics: the prom-client registry in text format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  port: number;
  /** Default all interfaces: probes come from the kubelet, not localhost. */
  host?: string;
  registry: Registry;
  /** True once every watcher cache has synced. */
  synced: () => boolean;
  isLeader?: () => boolean;
}

export class HealthServer {
  private server: Server | undefined;

  constructor(private readonly options: HealthServerOptions) {}

  /** Starts listening; resolves to the bound port (useful with port 0). */
  async start(): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
      switch (path) {
        case '/healthz':
          return send(res, 200, 'text/plain', 'ok\n');
        case '/readyz': {
          const synced = this.options.synced();
          const body = { ready: synced, synced, leader: this.options.isLeader?.() ?? false };
          return send(res, synced ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
        }
        case '/metrics':
          return send(res, 200, this.options.registry.contentType, await this.options.registry.metrics());
        default:
          return send(res, 404, 'text/plain', 'not found\n');
      }
    } catch (err) {
      send(res, 500, 'text/plain', `${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
