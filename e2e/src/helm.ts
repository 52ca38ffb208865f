// Test helpers for the chart in helm/sluice: the environment's helm binary
// (built with the control plane) against the environment's kubeconfig, with
// helm's own config, cache and data kept in the environment's state folder.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot, type TestEnv } from './env.js';
import { kubeConfig } from './kube.js';

const run = promisify(execFile);

export const CHART_DIR = path.join(repoRoot, 'helm/sluice');

/** A rendered Kubernetes object, loosely typed. */
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string; namespace?: string };
};

function helmEnv(env: TestEnv): NodeJS.ProcessEnv {
  const home = path.join(env.state, 'helm');
  return {
    ...process.env,
    KUBECONFIG: env.kubeconfig,
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
}

/** Runs helm; resolves to stdout, rejects with an Error whose message includes stderr. */
export async function helm(env: TestEnv, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(env.helm, args, { env: helmEnv(env), maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: err });
  }
}

/** Runs helm expecting it to fail; resolves to its stderr. */
export async function helmFailure(env: TestEnv, ...args: string[]): Promise<string> {
  try {
    await run(env.helm, args, { env: helmEnv(env) });
  } catch (err) {
    return (err as { stderr?: string }).stderr ?? '';
  }
  throw new Error(`helm ${args.join(' ')} succeeded, but it was expected to fail`);
}

/** Writes values to a temporary file for `-f`. */
export async function valuesFile(values: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-helm-'));
  const file = path.join(dir, 'values.yaml');
  await writeFile(file, stringify(values));
  return file;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: Record<string, unknown>;
}

/** `helm template` of the chart: the YAML text. */
export async function template(env: TestEnv, o: RenderOptions = {}): Promise<string> {
  return helm(
    env,
    'template',
    o.release ?? 'sluice',
    CHART_DIR,
    '--namespace',
    o.namespace ?? 'sluice-system',
    '-f',
    await valuesFile(o.values ?? {}),
  );
}

/** `helm template` of the chart, parsed into objects. */
export async function render(env: TestEnv, o: RenderOptions = {}): Promise<Manifest[]> {
  return parseManifests(await template(env, o));
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === 'object');
}

/** The operator installed from the chart, as the suites on the node run it (one release of their own). */
export interface OperatorRelease {
  release: string;
  /** The operator's namespace. */
  namespace: string;
  /** The chart's watchNamespaces: other suites run operators of their own, so each watches only its namespaces. */
  watchNamespaces: string[];
  /** helm --create-namespace; false where the suite creates the namespace itself (e.g. with labels). */
  createNamespace: boolean;
  /** Further chart values, each as `--set key=value` (e.g. logLevel: 'debug'). */
  set?: Record<string, string>;
}

/** `helm upgrade --install` of the chart, waiting (up to 5 minutes) for the operator to be Ready. */
export async function installOperator(env: TestEnv, o: OperatorRelease): Promise<void> {
  await helm(
    env,
    'upgrade',
    '--install',
    o.release,
    CHART_DIR,
    '-n',
    o.namespace,
    ...(o.createNamespace ? ['--create-namespace'] : []),
    '--wait',
    '--timeout',
    '5m',
    '--set',
    `watchNamespaces={${o.watchNamespaces.join(',')}}`,
    ...Object.entries(o.set ?? {}).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  );
}

/** Cleanup: uninstalls the release (waiting for its objects to go), then deletes its namespace; never fails. */
export async function uninstallOperator(
  env: TestEnv,
  o: Pick<OperatorRelease, 'release' | 'namespace'>,
): Promise<void> {
  await helm(env, 'uninstall', o.release, '-n', o.namespace, '--wait').catch(() => undefined);
  try {
    await kubeConfig(env).makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: o.namespace });
  } catch {
    // Not there (the install never got so far), or the environment never came up.
  }
}
