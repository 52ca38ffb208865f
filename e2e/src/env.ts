// The test environment as tests see it: brings it up when it is not running
// (the same scripts as `npm run env:up`) and returns where things are.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);

/** Repository root, from dist/e2e/src or e2e/src alike. */
export const repoRoot = path.resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);

export interface TestEnv {
  readonly kafka: { readonly bootstrapServers: string; readonly version: string; readonly libs: string };
  readonly kubeconfig: string;
  readonly kubernetes: { readonly version: string; readonly bin: string };
  readonly helm: string;
  readonly state: string;
  /** PostgreSQL (e2e/env/postgres.sh): host/port for this machine, podHost for pods (null without the node). */
  readonly postgres: PostgresEnv;
}

export interface PostgresEnv {
  readonly host: string;
  readonly port: number;
  readonly podHost: string | null;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly version: string;
}

let pending: Promise<TestEnv> | undefined;
let starting: ChildProcess | undefined;

/** A cold first start builds Kubernetes from source: allow for it. */
export const ENV_START_TIMEOUT_MS = 45 * 60_000;

// The environment outlives a test run on purpose (the next run reuses it),
// but a half-finished start must not go on after mocha has exited.
process.on('exit', () => {
  if (starting?.pid && starting.exitCode === null) {
    try {
      process.kill(-starting.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

/**
 * Registers a mocha `before` hook that brings the environment up (with a
 * timeout long enough for a cold build) and returns a getter for it.
 */
export function withEnv(): () => TestEnv {
  let env: TestEnv | undefined;
  before(async function () {
    this.timeout(ENV_START_TIMEOUT_MS);
    env = await useEnv();
  });
  return () => {
    if (!env) throw new Error('test environment is not up (did its before hook fail?)');
    return env;
  };
}

/** The running environment; started once per test process when it is down. */
export function useEnv(): Promise<TestEnv> {
  pending ??= process.env.SLUICE_E2E_KUBECONFIG ? externalEnv() : currentOrStart();
  return pending;
}

/**
 * Any cluster instead of this repository's environment (e2e/kind/run.sh):
 * SLUICE_E2E_KUBECONFIG, SLUICE_E2E_KAFKA (the broker as the tests reach it)
 * and SLUICE_E2E_POD_KAFKA (as pods reach it; default the same); kubectl and
 * helm from the PATH; our images already loaded into the cluster. Meant for
 * the end-to-end suite (e2e/tests/end-to-end.test.ts).
 */
async function externalEnv(): Promise<TestEnv> {
  const need = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is required with SLUICE_E2E_KUBECONFIG`);
    return v;
  };
  const which = async (tool: string) => (await run('sh', ['-c', `command -v ${tool}`])).stdout.trim();
  const kafka = need('SLUICE_E2E_KAFKA');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const env = {
    kafka: {
      bootstrapServers: kafka,
      podBootstrapServers: process.env.SLUICE_E2E_POD_KAFKA ?? kafka,
      version: '',
      libs: '',
    },
    kubeconfig: need('SLUICE_E2E_KUBECONFIG'),
    kubernetes: { version: '', bin: path.dirname(await which('kubectl')) },
    helm: await which('helm'),
    // SLUICE_E2E_POSTGRES: the `postgres` object of the env JSON, when tests need PostgreSQL.
    postgres: process.env.SLUICE_E2E_POSTGRES ? JSON.parse(process.env.SLUICE_E2E_POSTGRES) : null,
    state: await mkdtemp(path.join(tmpdir(), 'sluice-e2e-')),
    node: {
      name: 'external',
      ready: true,
      images: { runtime: 'sluice/runtime:0.1.0', operator: 'sluice/operator:0.1.0' },
    },
  };
  return env as TestEnv;
}

async function currentOrStart(): Promise<TestEnv> {
  const script = (name: string) => path.join(repoRoot, 'e2e/env', name);
  try {
    const { stdout } = await run('bash', [script('info.sh')]);
    return parseLastLine(stdout);
  } catch {
    // Not running: start it, streaming its progress to our stderr.
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn('bash', [script('up.sh')], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
      starting = child;
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`env up.sh exited ${code}`))));
    });
    return parseLastLine(stdout);
  }
}

/** The JSON line the scripts print last (anything a tool printed before it is ignored). */
function parseLastLine(stdout: string): TestEnv {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`the environment scripts printed no JSON line:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as TestEnv;
}
