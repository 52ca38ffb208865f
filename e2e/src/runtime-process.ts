// Runs sluice-runtime as a real process for tests: writes its
// worker.properties, starts it, waits for /health, and stops or kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './env.js';
import { eventually } from './eventually.js';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `${prefix}-`));
}

export const toProperties = (props: Record<string, string | number | boolean>) =>
  Object.entries(props)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n') + '\n';

/**
 * worker.properties of a standalone test worker: String converters, offsets
 * in `<dir>/data/offsets.json`, the given flush interval.
 */
export function standaloneProps(bootstrapServers: string, dir: string, flushIntervalMs: number) {
  return {
    'bootstrap.servers': bootstrapServers,
    'key.converter': STRING_CONVERTER,
    'value.converter': STRING_CONVERTER,
    'offset.storage.file.filename': path.join(dir, 'data/offsets.json'),
    'offset.flush.interval.ms': flushIntervalMs,
    [FILE_ALLOWED_PATHS]: tmpdir(),
  };
}

/** Where test workers' FileStream connectors may read and write: the temporary directories tests use. */
export const FILE_ALLOWED_PATHS = 'sluice.file.allowed.paths';

export const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';

export interface RuntimeProcessOptions {
  readonly mode: 'standalone' | 'distributed';
  readonly dir: string;
  readonly workerProps: Record<string, string | number | boolean>;
  readonly connectorFiles?: string[];
  readonly port: number;
  /** where to wait for health (an https worker: its plain health listener); default <url>/health */
  readonly healthUrl?: string;
  /** Node options for the worker process (e.g. --max-old-space-size=128) */
  readonly nodeArgs?: string[];
}

/** A standalone worker as the connector suites run it; see standaloneWorker. */
export interface StandaloneWorkerOptions {
  readonly bootstrapServers: string;
  readonly dir: string;
  /** The key and the value converter. */
  readonly converter: string;
  readonly flushIntervalMs: number;
  /** Default: a free port. */
  readonly port?: number;
  /** More worker properties; they win over the ones above. */
  readonly props?: Record<string, string | number | boolean>;
  readonly connectorFiles?: string[];
  readonly nodeArgs?: string[];
}

/**
 * A standalone worker (not started) for a connector under test: one converter for keys and values,
 * offsets in `<dir>/offsets.json`, the given flush interval.
 */
export async function standaloneWorker(o: StandaloneWorkerOptions): Promise<RuntimeProcess> {
  return new RuntimeProcess({
    mode: 'standalone',
    dir: o.dir,
    port: o.port ?? (await freePort()),
    workerProps: {
      'bootstrap.servers': o.bootstrapServers,
      'key.converter': o.converter,
      'value.converter': o.converter,
      'offset.storage.file.filename': path.join(o.dir, 'offsets.json'),
      'offset.flush.interval.ms': o.flushIntervalMs,
      ...o.props,
    },
    connectorFiles: o.connectorFiles,
    nodeArgs: o.nodeArgs,
  });
}

export class RuntimeProcess {
  private child: ChildProcess | undefined;
  exitCode: number | null | undefined;
  readonly logFile: string;

  constructor(readonly opts: RuntimeProcessOptions) {
    this.logFile = path.join(opts.dir, `worker-${opts.port}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start({ waitHealthy = true } = {}): Promise<this> {
    const workerFile = path.join(this.opts.dir, `worker-${this.opts.port}.properties`);
    await writeFile(
      workerFile,
      toProperties({ listeners: `http://127.0.0.1:${this.opts.port}`, ...this.opts.workerProps }),
    );
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [
        ...(this.opts.nodeArgs ?? []),
        path.join(repoRoot, 'dist/runtime/src/cli.js'),
        this.opts.mode,
        workerFile,
        ...(this.opts.connectorFiles ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.exitCode = undefined;
    child.on('exit', (code) => (this.exitCode = code));
    this.child = child;
    if (waitHealthy) await this.waitHealthy();
    return this;
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    await eventually(
      `worker on port ${this.opts.port} to be healthy (log: ${this.logFile})`,
      async () => {
        if (this.exitCode !== undefined) throw new Error(`worker exited with ${this.exitCode}`);
        const res = await fetch(this.opts.healthUrl ?? `${this.url}/health`);
        return res.status === 200;
      },
      { timeoutMs },
    );
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    return this.signal('SIGTERM', timeoutMs);
  }

  /** SIGKILL: no shutdown hooks run. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 10_000);
  }

  private async signal(sig: NodeJS.Signals, timeoutMs: number): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return this.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  /** A REST call; returns status and parsed JSON body (or text). */
  async rest(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }
}

/**
 * worker.properties of a distributed test worker in group `group` (topics
 * `<group>-configs|offsets|status`, replication 1), String converters, fast
 * group settings: a lost worker's tasks move after 6 s + 2 s. With a port,
 * the worker advertises 127.0.0.1:<port>.
 */
export function distributedProps(bootstrapServers: string, group: string, port?: number) {
  return {
    'bootstrap.servers': bootstrapServers,
    'group.id': group,
    'config.storage.topic': `${group}-configs`,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': 1,
    'offset.storage.replication.factor': 1,
    'status.storage.replication.factor': 1,
    'offset.storage.partitions': 5,
    'status.storage.partitions': 2,
    'key.converter': STRING_CONVERTER,
    'value.converter': STRING_CONVERTER,
    'offset.flush.interval.ms': 500,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 1000,
    'scheduled.rebalance.max.delay.ms': 2000,
    [FILE_ALLOWED_PATHS]: tmpdir(),
    ...(port === undefined ? {} : { 'rest.advertised.host.name': '127.0.0.1', 'rest.advertised.port': port }),
  };
}

/** A REST write, retried while the group rebalances (409), as any client of Kafka Connect must. */
export function restWrite(w: RuntimeProcess, method: string, urlPath: string, body?: unknown) {
  return eventually(`${method} ${urlPath}`, async () => {
    const res = await w.rest(method, urlPath, body);
    return res.status === 409 && /rebalance/.test(String(res.body?.message)) ? undefined : res;
  });
}

/** Distributed workers of one test file, started on demand and stopped together. */
export class WorkerGroup {
  readonly workers: RuntimeProcess[] = [];

  constructor(
    private readonly dir: () => string,
    private readonly props: (port: number) => Record<string, string | number | boolean>,
  ) {}

  /** Starts a worker (on `port`, or a free one) and waits until it is healthy. */
  async start(port?: number): Promise<RuntimeProcess> {
    const p = port ?? (await freePort());
    const w = new RuntimeProcess({ mode: 'distributed', dir: this.dir(), port: p, workerProps: this.props(p) });
    this.workers.push(w);
    await w.start();
    return w;
  }

  live(): RuntimeProcess[] {
    return this.workers.filter((w) => w.exitCode === undefined);
  }

  /** Where to look when a test failed. */
  printLogs(): void {
    for (const w of this.workers) console.error(`worker log: ${w.logFile} (port ${w.opts.port})`);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop().catch(() => undefined)));
  }
}
