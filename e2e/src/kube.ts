// Test helpers for the real apiserver: clients, CRD install, namespaces.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { RestClient } from '../../operator/src/kube/rest.js';
import { repoRoot, type TestEnv } from './env.js';
import { eventually } from './eventually.js';
import { API_VERSION } from '../../operator/src/api/v1alpha1/common.js';

const run = promisify(execFile);

export function kubeConfig(env: TestEnv): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  return kc;
}

export async function kubectl(env: TestEnv, ...args: string[]): Promise<string> {
  const { stdout } = await run(path.join(env.kubernetes.bin, 'kubectl'), ['--kubeconfig', env.kubeconfig, ...args]);
  return stdout;
}

/** Installs the committed CRDs (kubectl keeps x-kubernetes-* keys that client-node's models drop). */
export async function installCrds(env: TestEnv): Promise<void> {
  await kubectl(env, 'apply', '--server-side', '--force-conflicts', '-f', path.join(repoRoot, 'crds'));
  await kubectl(
    env,
    'wait',
    '--for',
    'condition=established',
    '--timeout=60s',
    'crd/kafkaconnects.sluice.dev',
    'crd/connectors.sluice.dev',
  );
}

/** Plain-JSON access to any path (no client-node model conversion). */
export function rest(env: TestEnv): RestClient {
  return new RestClient(kubeConfig(env));
}

export { API_VERSION as SLUICE_API_VERSION } from '../../operator/src/api/v1alpha1/common.js';

export const sluicePath = (plural: 'kafkaconnects' | 'connectors', ns: string, name?: string) =>
  `/apis/${API_VERSION}/namespaces/${ns}/${plural}${name ? `/${name}` : ''}`;

/**
 * Creates a namespace and waits for its default ServiceAccount: the controller-manager adds it a moment
 * later, and until then the apiserver refuses pods (and so Deployments stall) in the namespace.
 */
export async function createNamespaceReady(
  core: k8s.CoreV1Api,
  name: string,
  labels?: Record<string, string>,
): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await eventually(`the default ServiceAccount in ${name}`, () =>
    core.readNamespacedServiceAccount({ namespace: name, name: 'default' }).then(() => true),
  );
}

/** Waits until a deleted namespace is gone, i.e. every finalizer of what it held has run. */
export async function namespaceGone(
  core: k8s.CoreV1Api,
  name: string,
  { timeoutMs, what = `namespace ${name} gone` }: { timeoutMs: number; what?: string },
): Promise<void> {
  await eventually(
    what,
    () =>
      core.readNamespace({ name }).then(
        () => false,
        () => true,
      ),
    { timeoutMs, intervalMs: 1000 },
  );
}
