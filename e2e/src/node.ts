// Test helpers for the real node (e2e/env/node.sh): what info.sh reports
// about it, and running pods on it to completion.
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { TestEnv } from './env.js';
import { kubectl } from './kube.js';
import { eventually } from './eventually.js';

/** The node as info.sh reports it (null when the environment runs without one). */
export interface NodeInfo {
  readonly name: string;
  readonly ready: boolean;
  readonly ip: string;
  readonly podCIDR: string;
  readonly storageClass: string;
  readonly images: {
    readonly runtime: string;
    readonly operator: string;
    readonly node: string;
    readonly pause: string;
  };
  readonly logs: string;
}

/** A TestEnv from an environment with a node. */
export interface NodeEnv extends TestEnv {
  readonly node: NodeInfo;
  /** Where pods reach the test broker (its PODS listener on the node's address). */
  readonly kafka: TestEnv['kafka'] & { readonly podBootstrapServers: string };
}

/** The environment's node; fails (never skips) when there is none. */
export function nodeEnv(env: TestEnv): NodeEnv {
  const e = env as TestEnv & { node?: NodeInfo | null; kafka: { podBootstrapServers?: string | null } };
  if (!e.node) throw new Error('the test environment has no node (SLUICE_NODE=0, or another environment owns it)');
  if (!e.kafka.podBootstrapServers) throw new Error('the test broker has no listener for pods');
  return e as NodeEnv;
}

/** Waits until `check` accepts the pod (a missing pod is retried). */
export function waitForPod(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
  what: string,
  check: (pod: k8s.V1Pod) => boolean,
  timeoutMs = 120_000,
): Promise<k8s.V1Pod> {
  return eventually(
    `pod ${namespace}/${name}: ${what}`,
    async () => {
      const pod = await core.readNamespacedPod({ namespace, name });
      return check(pod) ? pod : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

export const isReady = (pod: k8s.V1Pod) =>
  pod.status?.phase === 'Running' && !!pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

export const hasFinished = (pod: k8s.V1Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export async function podLogs(env: TestEnv, namespace: string, name: string): Promise<string> {
  return kubectl(env, 'logs', '-n', namespace, name);
}

/**
 * Runs a one-container pod (restartPolicy Never) to completion and returns
 * its phase and output.
 */
export async function runPod(
  env: TestEnv,
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
  container: k8s.V1Container,
  spec: Partial<k8s.V1PodSpec> = {},
  timeoutMs = 120_000,
): Promise<{ phase: string; logs: string; pod: k8s.V1Pod }> {
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name }, spec: { restartPolicy: 'Never', ...spec, containers: [container] } },
  });
  const pod = await waitForPod(core, namespace, name, 'finished', hasFinished, timeoutMs);
  return { phase: pod.status?.phase ?? '', logs: await podLogs(env, namespace, name), pod };
}

/**
 * Follows a pod's log (kubectl logs -f) until its container exits; resolves
 * with everything it printed.
 */
export function followLogs(env: TestEnv, namespace: string, name: string): { done: Promise<string> } {
  const child = spawn(
    path.join(env.kubernetes.bin, 'kubectl'),
    ['--kubeconfig', env.kubeconfig, 'logs', '-f', '-n', namespace, name],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
  return { done };
}

/** Waits until the pod object is gone; resolves with the milliseconds since `since`. */
export async function waitForPodGone(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
  since: number,
  timeoutMs = 120_000,
): Promise<number> {
  return eventually(
    `pod ${namespace}/${name} to be deleted`,
    async () => {
      try {
        await core.readNamespacedPod({ namespace, name });
        return undefined;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return Date.now() - since;
        throw err;
      }
    },
    { timeoutMs, intervalMs: 100 },
  );
}
