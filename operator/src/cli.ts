#!/usr/bin/env node
// sluice-operator: reconciles KafkaConnect and Connector resources.
// Configured through the environment (the Helm chart sets these):
//   KUBECONFIG                  kubeconfig path; in a pod the service account is used
//   SLUICE_WATCH_NAMESPACES     comma-separated namespaces; empty = all namespaces
//   SLUICE_RUNTIME_IMAGE        worker image when a KafkaConnect sets none
//   SLUICE_APACHE_IMAGE         worker image of spec.runtime apache (default docker.io/sluice/apache-connect:4.3.1)
//   SLUICE_OPERATOR_NAMESPACE   namespace of the operator (Lease, NetworkPolicy); default POD_NAMESPACE
//   SLUICE_OPERATOR_POD_LABELS  labels of the operator pods, k=v,k=v (NetworkPolicy)
//   SLUICE_LEADER_ELECTION      true|false (default true)
//   SLUICE_LEADER_ELECTION_LEASE  name of the Lease (default sluice-operator-leader; one per release)
//   SLUICE_HEALTH_PORT          /healthz, /readyz, /metrics (default 8080)
//   SLUICE_CONNECTOR_DELETE_GRACE_SECONDS  how long a Connector's delete waits for its workers (default 120)
//   SLUICE_CONNECTOR_WORKERS    concurrent Connector reconciles (default 8)
//   LOG_LEVEL                   debug|info|warn|error (default info)
// `sluice-operator release-finalizers` (the chart's pre-delete hook) stops the
// operator's Deployment (SLUICE_OPERATOR_DEPLOYMENT in SLUICE_OPERATOR_NAMESPACE,
// pods SLUICE_OPERATOR_POD_LABELS) and removes the Connector finalizers in
// SLUICE_WATCH_NAMESPACES (operator/src/uninstall.ts).
import winston from 'winston';
import { loadKubeConfig } from './kube/index.js';
import { RestClient } from './kube/rest.js';
import { startOperator } from './operator.js';
import { releaseFinalizers } from './uninstall.js';

const env = process.env;
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const labels = (v: string | undefined) => Object.fromEntries(list(v).map((kv) => kv.split('=', 2) as [string, string]));

/** A whole number >= min from the environment, or 0 when unset; anything else stops the start with a clear error. */
function positive(v: string | undefined, name: string, min: number): number {
  if (v === undefined || v.trim() === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, got "${v}"`);
  return n;
}

const logger = winston.createLogger({
  level: (env['LOG_LEVEL'] ?? 'info').toLowerCase(),
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Console()],
});

async function uninstall(): Promise<void> {
  const { kubeConfig } = loadKubeConfig();
  const deployment = env['SLUICE_OPERATOR_DEPLOYMENT'];
  if (!deployment) throw new Error('SLUICE_OPERATOR_DEPLOYMENT is required for release-finalizers');
  const released = await releaseFinalizers(new RestClient(kubeConfig), {
    namespace: env['SLUICE_OPERATOR_NAMESPACE'] ?? env['POD_NAMESPACE'] ?? 'default',
    deployment,
    podSelector: env['SLUICE_OPERATOR_POD_LABELS'] ?? 'app.kubernetes.io/name=sluice-operator',
    namespaces: list(env['SLUICE_WATCH_NAMESPACES']),
    log: (message, meta) => logger.info(message, meta),
  });
  logger.info('Connector finalizers released', { released });
}

async function main(): Promise<void> {
  if (process.argv[2] === 'release-finalizers') return uninstall();
  const { kubeConfig, source } = loadKubeConfig();
  const operatorNamespace = env['SLUICE_OPERATOR_NAMESPACE'] ?? env['POD_NAMESPACE'] ?? 'default';
  const running = await startOperator({
    kubeConfig,
    logger,
    namespaces: list(env['SLUICE_WATCH_NAMESPACES']),
    leaderElection: (env['SLUICE_LEADER_ELECTION'] ?? 'true') !== 'false',
    leaseName: env['SLUICE_LEADER_ELECTION_LEASE'] || undefined,
    healthPort: Number(env['SLUICE_HEALTH_PORT'] ?? 8080),
    connectorDeleteGraceMs:
      positive(env['SLUICE_CONNECTOR_DELETE_GRACE_SECONDS'], 'SLUICE_CONNECTOR_DELETE_GRACE_SECONDS', 1) * 1000 ||
      undefined,
    connectorWorkers: positive(env['SLUICE_CONNECTOR_WORKERS'], 'SLUICE_CONNECTOR_WORKERS', 1) || undefined,
    settings: {
      defaultImage: env['SLUICE_RUNTIME_IMAGE'] ?? 'sluice/runtime:0.1.0',
      ...(env['SLUICE_APACHE_IMAGE'] ? { apacheImage: env['SLUICE_APACHE_IMAGE'] } : {}),
      operatorNamespace,
      operatorPodLabels: env['SLUICE_OPERATOR_POD_LABELS']
        ? labels(env['SLUICE_OPERATOR_POD_LABELS'])
        : { 'app.kubernetes.io/name': 'sluice-operator' },
    },
  });
  logger.info('sluice-operator started', { kubeconfig: source, healthPort: running.healthPort });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('shutting down', { signal });
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('error during shutdown', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

process.on('unhandledRejection', (reason) =>
  logger.error('unhandled rejection', { error: reason instanceof Error ? reason.stack : String(reason) }),
);
main().catch((err: unknown) => {
  logger.error('sluice-operator failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
