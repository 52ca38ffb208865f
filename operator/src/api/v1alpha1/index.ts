// The sluice.dev/v1alpha1 API: resource types inferred from the schemas that
// also generate the CRDs (operator/src/api/crds.ts).
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { ConnectorSpec, ConnectorStatus } from './connector.js';
import type { KafkaConnectSpec, KafkaConnectStatus } from './kafka-connect.js';
import type { API_VERSION } from './common.js';

export * from './common.js';
export * from './connector.js';
export * from './kafka-connect.js';

export interface KafkaConnect {
  apiVersion: typeof API_VERSION;
  kind: 'KafkaConnect';
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec: KafkaConnectSpec;
  status?: KafkaConnectStatus;
}

export interface Connector {
  apiVersion: typeof API_VERSION;
  kind: 'Connector';
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec: ConnectorSpec;
  status?: ConnectorStatus;
}

export type Mode = NonNullable<KafkaConnectSpec['mode']>;
export type Runtime = NonNullable<KafkaConnectSpec['runtime']>;
export type Condition = NonNullable<KafkaConnectStatus['conditions']>[number];
