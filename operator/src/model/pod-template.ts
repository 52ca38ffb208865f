// The worker pod, shared by both modes: secure by default (non-root,
// read-only root filesystem, no privilege escalation, no capabilities,
// RuntimeDefault seccomp), probes on /health, secrets mounted read-only.
import type { V1PodTemplateSpec, V1Volume, V1VolumeMount, V1EnvVar } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { CONFIG_HASH_ANNOTATION, MODE_ANNOTATION, RUNTIME_LABEL, workerLabels } from './labels.js';
import { APACHE_METRICS_PORT, pluginInitContainers, runtimeTraits } from './runtime.js';
import { resolvedRuntime } from './spec.js';
import { CONFIG_DIR, DATA_DIR, REST_PORT, SECRETS_DIR, names, restTlsNames } from './names.js';
import { resolvedMode } from './spec.js';
import { referencedSecrets, secretMount } from './worker-properties.js';
import { heapEnv, workerResources } from './worker-resources.js';
import { HEALTH_PORT, REST_TLS_DIR, restTlsEnabled } from './rest-tls.js';

export interface PodTemplateInput {
  readonly kc: KafkaConnect;
  readonly image: string;
  readonly configHash: string;
  /** the data volume (standalone PVC); distributed workers keep no local state */
  readonly dataVolume?: V1Volume;
}

export function podTemplate({ kc, image, configHash, dataVolume }: PodTemplateInput): V1PodTemplateSpec {
  const name = kc.metadata.name;
  const mode = resolvedMode(kc);
  const t = kc.spec.template ?? {};
  const secrets = referencedSecrets(kc);
  const tls = restTlsEnabled(kc);
  // Apache's DirectoryConfigProvider refuses to start when its allowed path
  // (worker-properties.ts) does not exist: without any Secret mounted below it,
  // an empty directory stands in.
  const noSecretsDir = resolvedRuntime(kc) === 'apache' && secrets.length === 0;
  const volumes: V1Volume[] = [
    { name: 'config', configMap: { name: names.configMap(name) } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ...(dataVolume ? [dataVolume] : []),
    ...secrets.map((s, i) => ({ name: `secret-${i}`, secret: { secretName: s, defaultMode: 0o400 } })),
    ...(tls ? [{ name: 'rest-tls', secret: { secretName: restTlsNames.server(name), defaultMode: 0o400 } }] : []),
    ...(noSecretsDir ? [{ name: 'secrets', emptyDir: { sizeLimit: '1Mi' } }] : []),
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'config', mountPath: CONFIG_DIR + '/config', readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
    ...(dataVolume ? [{ name: dataVolume.name, mountPath: DATA_DIR }] : []),
    ...secrets.map((s, i) => ({ name: `secret-${i}`, mountPath: secretMount(s), readOnly: true })),
    // Renewed certificates arrive through this volume; the worker reloads them without a restart.
    ...(tls ? [{ name: 'rest-tls', mountPath: REST_TLS_DIR, readOnly: true }] : []),
    ...(noSecretsDir ? [{ name: 'secrets', mountPath: SECRETS_DIR, readOnly: true }] : []),
  ];
  const userEnv = (t.env as V1EnvVar[] | undefined) ?? [];
  const resources = workerResources(kc);
  const env: V1EnvVar[] = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    // Stable per-pod DNS name through the headless Service (distributed worker ids).
    { name: 'SLUICE_ADVERTISED_HOST', value: `$(POD_NAME).${names.headlessService(name)}.$(POD_NAMESPACE).svc` },
    ...heapEnv(resources, userEnv),
    ...userEnv,
  ];
  const runtime = resolvedRuntime(kc);
  // Probes and Prometheus use the plain health port: no client certificate needed. Apache Kafka
  // Connect has no such port: its probes check that the REST port accepts connections, and its
  // readiness asks GET /health (503 until the worker joined and started; a Service must not send
  // REST requests to a worker whose port is open but which answers 404 for everything yet) when
  // REST is plain HTTP (with REST TLS, /health sits behind mutual TLS, which kubelet cannot pass).
  const health =
    runtime === 'apache' ? { tcpSocket: { port: 'rest-api' } } : { httpGet: { path: '/health', port: 'health' } };
  const ready =
    runtime === 'apache' && !tls ? { httpGet: { path: '/health', port: 'rest-api', scheme: 'HTTP' } } : health;
  const metricsPort = runtimeTraits(kc).metricsPort;
  const metricsAnnotations: Record<string, string> =
    kc.spec.metrics?.enabled === false
      ? {}
      : { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metricsPort), 'prometheus.io/path': '/metrics' };
  const containerSecurity = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
  const plugins = pluginInitContainers(kc, containerSecurity);
  volumes.push(...plugins.volumes);
  mounts.push(...plugins.mounts);
  if (runtime === 'apache' && kc.spec.metrics?.enabled === false) env.push({ name: 'METRICS_PORT', value: '0' });
  return {
    metadata: {
      labels: { ...(t.labels ?? {}), ...workerLabels(name), [RUNTIME_LABEL]: runtime },
      annotations: {
        ...(t.annotations ?? {}),
        ...metricsAnnotations,
        [CONFIG_HASH_ANNOTATION]: configHash,
        [MODE_ANNOTATION]: mode,
      },
    },
    spec: {
      serviceAccountName: names.serviceAccount(name),
      automountServiceAccountToken: false,
      // Room for tasks to stop, flush and commit (task.shutdown.graceful.timeout.ms) and to leave the group.
      terminationGracePeriodSeconds: 30,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(t.nodeSelector ? { nodeSelector: t.nodeSelector } : {}),
      ...(t.affinity ? { affinity: t.affinity } : {}),
      ...(t.tolerations ? { tolerations: t.tolerations as never } : {}),
      ...(t.priorityClassName ? { priorityClassName: t.priorityClassName } : {}),
      volumes,
      ...(plugins.initContainers.length ? { initContainers: plugins.initContainers } : {}),
      containers: [
        {
          name: 'connect',
          image,
          ...(kc.spec.imagePullPolicy ? { imagePullPolicy: kc.spec.imagePullPolicy } : {}),
          args: [mode, `${CONFIG_DIR}/config/worker.properties`],
          ports: [
            { name: 'rest-api', containerPort: REST_PORT, protocol: 'TCP' },
            ...(runtime === 'apache'
              ? [{ name: 'tcp-prometheus', containerPort: APACHE_METRICS_PORT, protocol: 'TCP' }]
              : [{ name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }]),
          ],
          env,
          resources,
          volumeMounts: mounts,
          startupProbe: { ...health, periodSeconds: 2, failureThreshold: 60 },
          readinessProbe: { ...ready, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
          livenessProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
          securityContext: containerSecurity,
        },
      ],
    },
  };
}
