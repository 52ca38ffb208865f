// The KafkaConnect and operator settings the model's unit tests build from: a cluster "demo" in
// namespace "apps", and the settings a default chart install gives.
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { API_VERSION } from '../api/v1alpha1/common.js';
import type { OperatorSettings } from './desired.js';

export const TEST_SETTINGS: OperatorSettings = {
  defaultImage: 'sluice/runtime:0.1.0',
  operatorPodLabels: { app: 'sluice-operator' },
  operatorNamespace: 'sluice-system',
};

export function testCluster(spec: Partial<KafkaConnect['spec']> = {}): KafkaConnect {
  return {
    apiVersion: API_VERSION,
    kind: 'KafkaConnect',
    metadata: { name: 'demo', namespace: 'apps', uid: 'uid-1', generation: 1 },
    spec: { bootstrapServers: 'kafka:9092', ...spec },
  };
}
