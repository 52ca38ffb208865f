// Controller owner references: the garbage collector deletes what a
// KafkaConnect owns when it goes away.
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';

export function ownerReference(kc: KafkaConnect): V1OwnerReference {
  return {
    apiVersion: kc.apiVersion,
    kind: kc.kind,
    name: kc.metadata.name,
    uid: kc.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function objectMeta(
  kc: KafkaConnect,
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
) {
  return {
    name,
    namespace: kc.metadata.namespace,
    labels,
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    ownerReferences: [ownerReference(kc)],
  };
}
