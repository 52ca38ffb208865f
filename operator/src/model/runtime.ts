// What differs between the two runtimes a KafkaConnect can run
// (spec.runtime): Sluice's TypeScript runtime or Apache Kafka Connect. Both
// take the same worker.properties and the same container arguments (mode,
// properties path); the Apache image serves its metrics on the JMX exporter's
// port, keeps standalone offsets in Java's own file format (so in a file of
// its own), has no drain endpoint, and finds plugins under /opt/kafka/plugins.
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { KafkaConnect, Runtime } from '../api/v1alpha1/index.js';
import { DATA_DIR } from './names.js';
import { HEALTH_PORT } from './rest-tls.js';
import { resolvedRuntime } from './spec.js';

export const DEFAULT_APACHE_IMAGE = 'docker.io/sluice/apache-connect:4.3.1';
/** The JMX exporter agent's port in the Apache image. */
export const APACHE_METRICS_PORT = 9404;

interface RuntimeTraits {
  /** where the workers' plugin path is mounted */
  readonly pluginDir: string;
  /** port serving /metrics */
  readonly metricsPort: number;
  /** standalone offsets file (the two runtimes' file formats differ) */
  readonly standaloneOffsetsFile: string;
  /** POST /admin/drain exists */
  readonly canDrain: boolean;
}

const TRAITS: Record<Runtime, RuntimeTraits> = {
  sluice: {
    pluginDir: '/opt/sluice/plugins',
    metricsPort: HEALTH_PORT,
    standaloneOffsetsFile: `${DATA_DIR}/offsets.json`,
    canDrain: true,
  },
  apache: {
    pluginDir: '/opt/kafka/plugins',
    metricsPort: APACHE_METRICS_PORT,
    standaloneOffsetsFile: `${DATA_DIR}/apache-offsets.dat`,
    canDrain: false,
  },
};

export const runtimeTraits = (kc: KafkaConnect): RuntimeTraits => TRAITS[resolvedRuntime(kc)];

/** The worker image: spec.image, else the operator's image for the runtime. */
export function workerImage(kc: KafkaConnect, defaults: { sluice: string; apache?: string }): string {
  if (kc.spec.image) return kc.spec.image;
  return resolvedRuntime(kc) === 'apache' ? (defaults.apache ?? DEFAULT_APACHE_IMAGE) : defaults.sluice;
}

/**
 * worker.properties keys that depend on the runtime. Apache: a lost worker's
 * tasks move at once (scheduled.rebalance.max.delay.ms 0, KAFKA-15693), since
 * a scale-down cannot drain it first; spec.config may set another delay.
 */
export function runtimeWorkerProperties(kc: KafkaConnect): {
  defaults: Record<string, string>;
  fixed: Record<string, string>;
} {
  const traits = runtimeTraits(kc);
  const fixed: Record<string, string> = {};
  if ((kc.spec.plugins ?? []).length > 0) fixed['plugin.path'] = traits.pluginDir;
  const defaults: Record<string, string> =
    resolvedRuntime(kc) === 'apache' ? { 'scheduled.rebalance.max.delay.ms': '0' } : {};
  return { defaults, fixed };
}

/** Init containers copying each plugin image's /plugins/. into the shared plugin volume. */
export function pluginInitContainers(
  kc: KafkaConnect,
  securityContext: V1Container['securityContext'],
): { initContainers: V1Container[]; volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const plugins = kc.spec.plugins ?? [];
  if (plugins.length === 0) return { initContainers: [], volumes: [], mounts: [] };
  return {
    initContainers: plugins.map((p) => ({
      name: `plugin-${p.name}`.slice(0, 63).replace(/[._]/g, '-'),
      image: p.image,
      ...(kc.spec.imagePullPolicy ? { imagePullPolicy: kc.spec.imagePullPolicy } : {}),
      command: ['cp', '-R', '/plugins/.', `/mnt/plugins/${p.name}`],
      volumeMounts: [{ name: 'plugins', mountPath: '/mnt/plugins' }],
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
      securityContext,
    })),
    volumes: [{ name: 'plugins', emptyDir: { sizeLimit: '2Gi' } }],
    mounts: [{ name: 'plugins', mountPath: runtimeTraits(kc).pluginDir, readOnly: true }],
  };
}
