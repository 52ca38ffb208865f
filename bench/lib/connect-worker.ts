// One distributed Connect worker under measurement, ours or Apache's, and the
// REST calls a benchmark makes to it. Both advertise themselves as
// 127.0.0.1:<port>, which is also the worker_id the status API reports.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../e2e/src/env.js';
import { freePort, toProperties } from '../../e2e/src/runtime-process.js';
import { MeasuredProcess } from './process.js';
import { pollUntil } from './progress.js';
import type { Impl } from './report.js';

export type Props = Record<string, string | number | boolean>;

export interface RestResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface TaskStatus {
  readonly id: number;
  readonly state: string;
  readonly worker_id: string;
  readonly trace?: string;
}

export class DistributedWorker {
  readonly id: string;
  readonly url: string;

  private constructor(
    readonly impl: Impl,
    readonly port: number,
    readonly proc: MeasuredProcess,
  ) {
    this.id = `127.0.0.1:${port}`;
    this.url = `http://${this.id}`;
  }

  /**
   * Starts a worker of `impl` in distributed mode with `props` plus its own
   * listener; returns at once (proc.startedAt is the spawn time).
   */
  static async start(impl: Impl, dir: string, props: Props): Promise<DistributedWorker> {
    const port = await freePort();
    const workerFile = path.join(dir, `worker-${port}.properties`);
    await writeFile(
      workerFile,
      toProperties({
        ...props,
        listeners: `http://127.0.0.1:${port}`,
        'rest.advertised.host.name': '127.0.0.1',
        'rest.advertised.port': port,
      }),
    );
    const log = path.join(dir, `${impl}-${port}.log`);
    let proc: MeasuredProcess;
    if (impl === 'sluice') {
      const cli = path.join(repoRoot, 'dist/runtime/src/cli.js');
      proc = new MeasuredProcess(process.execPath, [cli, 'distributed', workerFile], 'node', log);
    } else {
      // apache-connect.sh exec's java, so the bash pid becomes the JVM's.
      const script = path.join(repoRoot, 'e2e/env/apache-connect.sh');
      proc = new MeasuredProcess('bash', [script, 'distributed', workerFile], 'java', log, {
        ...process.env,
        SLUICE_CONNECT_LOG: path.join(dir, `apache-${port}-connect.log`),
      });
    }
    return new DistributedWorker(impl, port, proc);
  }

  /** A REST call with a deadline; the body parsed as JSON when it is JSON. */
  async rest(method: string, urlPath: string, body?: unknown): Promise<RestResponse> {
    const res = await fetch(`${this.url}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }

  /**
   * When the REST server first answers at all (any status): the process is
   * up. Apache listens before it reads its internal topics and answers 404
   * until it has joined the group; ours listens once it has read them.
   */
  waitListening(timeoutMs = 120_000): Promise<number> {
    return pollUntil(`${this.impl} ${this.id} REST listening`, async () => (await this.rest('GET', '/')).status > 0, {
      assertAlive: () => this.proc.assertRunning(),
      intervalMs: 20,
      timeoutMs,
    });
  }

  /** When GET /health first answers 200 (KIP-1017: the worker has joined and is ready). */
  waitHealthy(timeoutMs = 120_000): Promise<number> {
    return pollUntil(
      `${this.impl} ${this.id} healthy`,
      async () => (await this.rest('GET', '/health')).status === 200,
      {
        assertAlive: () => this.proc.assertRunning(),
        timeoutMs,
      },
    );
  }

  /** A REST write, retried while the group rebalances or the leader is unknown (409), as any Connect client must. */
  async write(method: string, urlPath: string, body?: unknown): Promise<RestResponse> {
    let res: RestResponse | undefined;
    await pollUntil(
      `${method} ${urlPath} on ${this.id}`,
      async () => {
        res = await this.rest(method, urlPath, body);
        return res.status !== 409;
      },
      { assertAlive: () => this.proc.assertRunning(), intervalMs: 100, timeoutMs: 60_000 },
    );
    if (!res || res.status >= 300) throw new Error(`${method} ${urlPath}: ${res?.status} ${JSON.stringify(res?.body)}`);
    return res;
  }

  /** The connector's tasks as this worker reports them; undefined while the connector is unknown. */
  async tasks(connector: string): Promise<TaskStatus[] | undefined> {
    const res = await this.rest('GET', `/connectors/${encodeURIComponent(connector)}/status`);
    if (res.status !== 200) return undefined;
    return (res.body as { tasks?: TaskStatus[] }).tasks ?? [];
  }
}

/**
 * True when all `expected` tasks are RUNNING, only on `workers`, spread as
 * evenly as possible (every worker runs floor or ceil of expected / workers).
 */
export function spreadOver(tasks: readonly TaskStatus[] | undefined, expected: number, workers: readonly string[]) {
  if (!tasks || tasks.length !== expected || !tasks.every((t) => t.state === 'RUNNING')) return false;
  const counts = new Map(workers.map((w) => [w, 0]));
  for (const t of tasks) {
    const n = counts.get(t.worker_id);
    if (n === undefined) return false;
    counts.set(t.worker_id, n + 1);
  }
  const low = Math.floor(expected / workers.length);
  const high = Math.ceil(expected / workers.length);
  return [...counts.values()].every((n) => n >= low && n <= high);
}

/** True when all `expected` tasks are RUNNING and none on `gone`. */
export function runningWithout(tasks: readonly TaskStatus[] | undefined, expected: number, gone: string) {
  return !!tasks && tasks.length === expected && tasks.every((t) => t.state === 'RUNNING' && t.worker_id !== gone);
}

/**
 * Watches a connector's tasks in the background (every `intervalMs`): check()
 * throws once one of them is FAILED, so a run fails at once and says why
 * instead of stalling until a timeout.
 */
export function watchForFailedTasks(worker: DistributedWorker, connector: string, intervalMs = 1_000) {
  let failure: string | undefined;
  let stopped = false;
  void (async () => {
    while (!stopped && failure === undefined) {
      const tasks = await worker.tasks(connector).catch(() => undefined);
      const failed = tasks?.filter((t) => t.state === 'FAILED') ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        const why = (first.trace ?? '').split('\n')[0]?.trim() ?? '';
        failure = `${failed.length}/${tasks!.length} task(s) FAILED (task ${first.id} on ${first.worker_id}: ${why})`;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    check(): void {
      if (failure !== undefined) throw new Error(failure);
    },
    stop(): void {
      stopped = true;
    },
  };
}
