// The operator as the operator suites run it: in this process, against the real apiserver, watching
// one test namespace, without leader election, with the settings a chart install would give.
import type { KubeConfig } from '@kubernetes/client-node';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../operator/src/operator.js';
import type { Logger } from '../../operator/src/kube/index.js';

export const TEST_OPERATOR_SETTINGS = {
  defaultImage: 'sluice/runtime:test',
  operatorNamespace: 'sluice-system',
  operatorPodLabels: { app: 'sluice-operator' },
};

export function startTestOperator(
  kubeConfig: KubeConfig,
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
