// The operator as the operator suites run it: in this process, against the real apiserver, watching
// one test namespace, without leader election, with the settings a chart install would give.
import * as k8s from '@kubernetes/client-node';
import { createConnectClient } from '../../operator/src/connect/connect-client.js';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../operator/src/operator.js';
import type { Logger } from '../../operator/src/kube/index.js';
import { RecordingLogger, dumpOnFailure } from './diagnostics.js';
import type { TestEnv } from './env.js';
import { installCrds, kubeConfig } from './kube.js';

export const TEST_OPERATOR_SETTINGS = {
  defaultImage: 'sluice/runtime:test',
  operatorNamespace: 'sluice-system',
  operatorPodLabels: { app: 'sluice-operator' },
};

export function startTestOperator(
  kubeConfig: k8s.KubeConfig,
  logger: Logger,
  namespace: string,
  options: Partial<OperatorOptions> = {},
): Promise<RunningOperator> {
  return startOperator({
    kubeConfig,
    logger,
    namespaces: [namespace],
    leaderElection: false,
    settings: TEST_OPERATOR_SETTINGS,
    ...options,
  });
}

/** The clients of an operatorWithoutWorkers suite, set once its before hook has run. */
export interface ControlPlaneClients {
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
}

/**
 * The hooks of an operator suite on the bare control plane, where no worker pod ever runs: before all,
 * the CRDs, the namespace and a test operator watching it whose REST calls go to a port nothing listens
 * on; after all, the operator stopped and the namespace deleted; after a failed test, the diagnostics
 * (the operator's log lines, the namespace's objects and events).
 */
export function operatorWithoutWorkers(env: () => TestEnv, ns: string): ControlPlaneClients {
  const logger = new RecordingLogger();
  dumpOnFailure({ env, namespaces: () => [ns], operatorLog: logger });
  const clients = {} as Partial<ControlPlaneClients>;
  let operator: RunningOperator | undefined;
  before(async () => {
    await installCrds(env());
    const kc = kubeConfig(env());
    clients.core = kc.makeApiClient(k8s.CoreV1Api);
    clients.apps = kc.makeApiClient(k8s.AppsV1Api);
    await clients.core.createNamespace({ body: { metadata: { name: ns } } });
    operator = await startTestOperator(kc, logger, ns, {
      resyncPeriodMs: 5_000,
      connectFor: () => createConnectClient('http://127.0.0.1:9', { timeoutMs: 500 }),
    });
  });
  after(async () => {
    await operator?.stop();
    await clients.core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });
  return clients as ControlPlaneClients;
}
