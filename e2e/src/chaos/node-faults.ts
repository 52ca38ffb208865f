// Faults the chaos run injects from the machine, below Kubernetes: SIGKILL
// of a pod's main process, a pod cut off from Kafka (iptables in the pod's
// network namespace), kubelet and control-plane restarts (e2e/env scripts),
// and a small tmpfs as a standalone worker's volume, so that it can be filled.
// Faults that touch the shared environment (the apiserver, etcd, kubelet) are
// written to a windows log first and last, so that other tests' failures in
// that window can be told apart from bugs.
import { execFile } from 'node:child_process';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, type TestEnv } from '../env.js';

const run = promisify(execFile);
const script = (name: string) => path.join(repoRoot, 'e2e/env', name);

/** Where disruptive windows are logged: SLUICE_CHAOS_WINDOWS, else the environment's state folder. */
export const windowsLog = (env: TestEnv) =>
  process.env.SLUICE_CHAOS_WINDOWS ?? path.join(env.state, 'chaos-windows.log');

/** Runs `body` between a start and an end line in the windows log. */
export async function disruptive<T>(env: TestEnv, what: string, body: () => Promise<T>): Promise<T> {
  const file = windowsLog(env);
  const stamp = () => new Date().toISOString();
  await appendFile(file, `${stamp()} START ${what} (pid ${process.pid})\n`);
  try {
    return await body();
  } finally {
    await appendFile(file, `${stamp()} END   ${what} (pid ${process.pid})\n`);
  }
}

/** The host pid of a pod's running container (the first, or the named one). */
export async function podPid(namespace: string, pod: string, container?: string): Promise<number> {
  const { stdout } = await run('bash', [
    script('node.sh'),
    'pod-pid',
    namespace,
    pod,
    ...(container ? [container] : []),
  ]);
  const pid = Number(stdout.trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no pid for pod ${namespace}/${pod}: ${stdout}`);
  return pid;
}

/** SIGKILL of the pod's main process, as the kernel's OOM killer would. */
export async function sigkillPod(namespace: string, pod: string): Promise<void> {
  process.kill(await podPid(namespace, pod), 'SIGKILL');
}

/**
 * Drops the pod's packets to the given address and ports (its Kafka brokers)
 * in its own network namespace; returns a function that lifts the cut. A
 * dropped packet, not a refused one: what a partition looks like.
 */
export async function cutOff(
  namespace: string,
  pod: string,
  host: string,
  ports: number[],
): Promise<() => Promise<void>> {
  const pid = await podPid(namespace, pod);
  const rule = ['OUTPUT', '-d', host, '-p', 'tcp', '-m', 'multiport', '--dports', ports.join(','), '-j', 'DROP'];
  const iptables = (...args: string[]) => run('nsenter', ['-t', String(pid), '-n', 'iptables', '-w', ...args]);
  await iptables('-I', ...rule);
  return async () => {
    // The pod may be gone meanwhile (its network namespace with it): nothing to lift then.
    await iptables('-D', ...rule).catch(() => undefined);
  };
}

export function restartKubelet(): Promise<unknown> {
  return run('bash', [script('node.sh'), 'restart-kubelet'], { timeout: 120_000 });
}

export function restartControlPlane(): Promise<unknown> {
  return run('bash', [script('k8s.sh'), 'restart-control-plane'], { timeout: 180_000 });
}

/** A tmpfs of `mib` MiB at dir, world-writable (the worker does not run as root). */
export async function tmpfs(dir: string, mib: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0777`, 'chaos-pvc', dir]);
}

export async function unmount(dir: string): Promise<void> {
  await run('umount', ['-l', dir]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Fills the file system holding dir to the last byte; returns a function that frees it again. */
export async function fill(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, '.chaos-fill');
  // dd stops with "No space left on device": that is the point.
  await run('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M']).catch(() => undefined);
  // The last partial megabyte too.
  await run('dd', ['if=/dev/zero', `of=${file}-2`, 'bs=4k']).catch(() => undefined);
  return async () => {
    await rm(file, { force: true });
    await rm(`${file}-2`, { force: true });
  };
}
