// Where the operator's credentials come from, in the order an operator
// expects: an explicit --kubeconfig path, then $KUBECONFIG, then the pod's
// service account (in-cluster), then ~/.kube/config.
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import * as k8s from '@kubernetes/client-node';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadKubeConfigOptions {
  /** A --kubeconfig flag value; wins over everything else. */
  path?: string;
  /** For tests: whether the in-cluster token file exists. */
  tokenExists?: (file: string) => boolean;
  /** Chooses the source; note client-node's in-cluster loader reads process.env itself. */
  env?: NodeJS.ProcessEnv;
}

export type KubeConfigSource = 'path' | 'env' | 'in-cluster' | 'default';

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): {
  kubeConfig: k8s.KubeConfig;
  source: KubeConfigSource;
} {
  const env = options.env ?? process.env;
  const tokenExists = options.tokenExists ?? existsSync;
  const kubeConfig = new k8s.KubeConfig();
  if (options.path) {
    kubeConfig.loadFromFile(options.path);
    return { kubeConfig, source: 'path' };
  }
  if (env.KUBECONFIG) {
    // May be a path list (":"-separated): merged like kubectl, the first file's context wins.
    const [first, ...rest] = env.KUBECONFIG.split(delimiter).filter(Boolean);
    if (first) {
      kubeConfig.loadFromFile(first);
      for (const file of rest) {
        const other = new k8s.KubeConfig();
        other.loadFromFile(file);
        kubeConfig.mergeConfig(other, true);
      }
      return { kubeConfig, source: 'env' };
    }
  }
  if (env.KUBERNETES_SERVICE_HOST && tokenExists(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
    return { kubeConfig, source: 'in-cluster' };
  }
  kubeConfig.loadFromDefault();
  return { kubeConfig, source: 'default' };
}
