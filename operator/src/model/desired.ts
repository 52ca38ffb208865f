// desired(cr) -> the objects a KafkaConnect should own right now, for its
// mode. The reconciler applies these and deletes owned objects of kinds
// that the current mode does not use.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import {
  apiService,
  configMap,
  dataClaim,
  distributedStatefulSet,
  headlessService,
  networkPolicy,
  podDisruptionBudget,
  serviceAccount,
  standaloneDeployment,
} from './resources.js';
import { names } from './names.js';
import { resolvedMode } from './spec.js';
import { workerImage } from './runtime.js';
import { renderProperties, workerProperties } from './worker-properties.js';

export interface OperatorSettings {
  /** runtime image when spec.image is not set */
  readonly defaultImage: string;
  /** Apache Kafka Connect image for spec.runtime apache when spec.image is not set */
  readonly apacheImage?: string;
  /** labels of the operator's pods, for the NetworkPolicy */
  readonly operatorPodLabels: Record<string, string>;
  readonly operatorNamespace: string;
}

export interface Desired {
  readonly objects: KubernetesObject[];
  /** kinds (apiVersion/kind) owned in the other mode, to be removed */
  readonly obsoleteKinds: ObjectRef[];
  readonly configHash: string;
  readonly workerProperties: string;
}

export interface DesiredOptions {
  /**
   * Distributed: the StatefulSet's size, when it is not spec.replicas (while
   * departing workers drain before a scale-down it keeps its current size).
   */
  readonly workerReplicas?: number;
}

type ObjectRef = { apiVersion: string; kind: string; name: string };

/** The objects of the other mode a KafkaConnect may still own, to be removed. */
export function obsoleteKinds(kc: KafkaConnect): ObjectRef[] {
  const name = kc.metadata.name;
  if (resolvedMode(kc) === 'standalone')
    return [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: names.workload(name) },
      { apiVersion: 'v1', kind: 'Service', name: names.headlessService(name) },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: names.pdb(name) },
    ];
  return [{ apiVersion: 'apps/v1', kind: 'Deployment', name: names.workload(name) }];
}

export function desired(kc: KafkaConnect, settings: OperatorSettings, options: DesiredOptions = {}): Desired {
  const props = renderProperties(workerProperties(kc));
  // The hash rolls the pods when worker.properties changes.
  const configHash = createHash('sha256').update(props).digest('hex').slice(0, 16);
  const image = workerImage(kc, { sluice: settings.defaultImage, apache: settings.apacheImage });
  const common: KubernetesObject[] = [
    serviceAccount(kc),
    configMap(kc, props),
    apiService(kc),
    networkPolicy(kc, settings.operatorPodLabels, settings.operatorNamespace),
  ];
  const objects =
    resolvedMode(kc) === 'standalone'
      ? [...common, dataClaim(kc), standaloneDeployment(kc, image, configHash)]
      : [
          ...common,
          headlessService(kc),
          podDisruptionBudget(kc),
          distributedStatefulSet(kc, image, configHash, options.workerReplicas),
        ];
  return { objects, obsoleteKinds: obsoleteKinds(kc), configHash, workerProperties: props };
}
