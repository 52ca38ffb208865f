// One builder per child object of a KafkaConnect. Pure: no client, no clock,
// no randomness; the same CR always gives the same objects.
import type {
  V1ConfigMap,
  V1Deployment,
  V1NetworkPolicy,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { commonLabels, selectorLabels } from './labels.js';
import { names, REST_PORT } from './names.js';
import { objectMeta } from './owner.js';
import { podTemplate } from './pod-template.js';
import { runtimeTraits } from './runtime.js';
import { resolvedReplicas } from './spec.js';

export function serviceAccount(kc: KafkaConnect): V1ServiceAccount {
  const name = kc.metadata.name;
  // Workers never call the Kubernetes API: no token is mounted and no role is bound.
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: objectMeta(kc, names.serviceAccount(name), commonLabels(name)),
    automountServiceAccountToken: false,
  };
}

export function configMap(kc: KafkaConnect, workerPropertiesText: string): V1ConfigMap {
  const name = kc.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(kc, names.configMap(name), commonLabels(name)),
    data: { 'worker.properties': workerPropertiesText },
  };
}

export function apiService(kc: KafkaConnect): V1Service {
  const name = kc.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(kc, names.apiService(name), commonLabels(name)),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [{ name: 'rest-api', port: REST_PORT, targetPort: 'rest-api', protocol: 'TCP' }],
    },
  };
}

export function headlessService(kc: KafkaConnect): V1Service {
  const name = kc.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(kc, names.headlessService(name), commonLabels(name)),
    spec: {
      clusterIP: 'None',
      // Workers find each other (and forward REST writes to the leader) before they are ready.
      publishNotReadyAddresses: true,
      selector: selectorLabels(name),
      ports: [{ name: 'rest-api', port: REST_PORT, targetPort: 'rest-api', protocol: 'TCP' }],
    },
  };
}

export function dataClaim(kc: KafkaConnect): V1PersistentVolumeClaim {
  const name = kc.metadata.name;
  const storage = kc.spec.storage ?? {};
  // The claim is owned (and garbage-collected) only when deleteClaim is set;
  // otherwise it outlives the KafkaConnect and keeps its offsets.
  const meta = objectMeta(kc, names.pvc(name), commonLabels(name));
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: storage.deleteClaim ? meta : { ...meta, ownerReferences: [] },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: String(storage.size ?? '1Gi') } },
      ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
    },
  };
}

export function standaloneDeployment(kc: KafkaConnect, image: string, configHash: string): V1Deployment {
  const name = kc.metadata.name;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta(kc, names.workload(name), commonLabels(name)),
    spec: {
      replicas: Math.min(resolvedReplicas(kc), 1),
      // The PVC is ReadWriteOnce: the old pod must be gone before the new one mounts it.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(name) },
      template: podTemplate({
        kc,
        image,
        configHash,
        dataVolume: { name: 'data', persistentVolumeClaim: { claimName: names.pvc(name) } },
      }),
    },
  };
}

/** `replicas`: the StatefulSet's size, spec.replicas unless departing workers are still draining. */
export function distributedStatefulSet(
  kc: KafkaConnect,
  image: string,
  configHash: string,
  replicas = resolvedReplicas(kc),
): V1StatefulSet {
  const name = kc.metadata.name;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMeta(kc, names.workload(name), commonLabels(name)),
    spec: {
      replicas,
      serviceName: names.headlessService(name),
      // Workers coordinate through Kafka, not through start order.
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: selectorLabels(name) },
      template: podTemplate({ kc, image, configHash }),
    },
  };
}

export function podDisruptionBudget(kc: KafkaConnect): V1PodDisruptionBudget {
  const name = kc.metadata.name;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMeta(kc, names.pdb(name), commonLabels(name)),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(name) } },
  };
}

/**
 * Only the workers (to each other) and the operator may reach the REST port;
 * the metrics port (/health and /metrics, no secrets, no writes) is open to
 * any scraper, as Strimzi leaves its metrics port open.
 * Built in wire format (`from`, which client-node's type calls `_from`).
 */
export function networkPolicy(
  kc: KafkaConnect,
  operatorPodLabels: Record<string, string>,
  operatorNamespace: string,
): V1NetworkPolicy {
  const name = kc.metadata.name;
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: objectMeta(kc, names.networkPolicy(name), commonLabels(name)),
    spec: {
      podSelector: { matchLabels: selectorLabels(name) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: selectorLabels(name) } },
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': operatorNamespace } },
              podSelector: { matchLabels: operatorPodLabels },
            },
          ],
          ports: [{ port: REST_PORT, protocol: 'TCP' }],
        },
        { ports: [{ port: runtimeTraits(kc).metricsPort, protocol: 'TCP' }] },
      ],
    },
  };
  return policy as unknown as V1NetworkPolicy;
}
