// Wires the operator: watches (cluster-wide or per namespace), the two
// controllers, leader election, health and metrics. startOperator() is what
// the CLI and the tests run.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, CONNECTORS, KAFKA_CONNECTS, type Connector, type KafkaConnect } from './api/v1alpha1/index.js';
import type { ConnectApi } from './connect/connect-client.js';
import { ClusterGate } from './connect/cluster-gate.js';
import { connectClientFor } from './tls/connect-over-tls.js';
import { RestTlsManager } from './tls/rest-tls-manager.js';
import type { PkiPolicy } from './tls/rest-pki-plan.js';
import {
  Applier,
  CONFIG_MAPS,
  Controller,
  DEPLOYMENTS,
  EventRecorder,
  HealthServer,
  LeaderElector,
  OperatorMetrics,
  RestClient,
  STATEFUL_SETS,
  Watcher,
  collectionPath,
  objectKey,
  ownerKeys,
  splitKey,
  type Informer,
  type Logger,
  type ResourceRef,
} from './kube/index.js';
import type { OperatorSettings } from './model/desired.js';
import { names } from './model/names.js';
import { OPERATOR_LABEL_VALUE } from './model/labels.js';
import { connectorReconciler } from './reconcile/connector-reconciler.js';
import type { ReconcileDeps } from './reconcile/deps.js';
import { Memories, newClusterMemory, newConnectorMemory } from './reconcile/memory.js';
import { kafkaConnectReconciler } from './reconcile/kafka-connect-reconciler.js';
import { ClusterWork } from './reconcile/cluster-work.js';

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  readonly settings: OperatorSettings;
  /** namespaces to watch; empty = all */
  readonly namespaces: readonly string[];
  readonly logger: Logger;
  /** Lease-based leader election (namespace of the Lease = the operator's). */
  readonly leaderElection: boolean;
  /** Name of the Lease; default sluice-operator-leader. Two operator releases in one namespace need two. */
  readonly leaseName?: string | undefined;
  readonly healthPort?: number;
  readonly workers?: number;
  readonly resyncPeriodMs?: number;
  readonly restartUnitMs?: number;
  /** How long a Connector's delete waits for its workers before the finalizer goes anyway; default 120 s. */
  readonly connectorDeleteGraceMs?: number;
  /** Concurrent Connector reconciles; default 8 (the REST calls are I/O: a slow cluster must not hold them all). */
  readonly connectorWorkers?: number;
  /** How to reach a cluster's REST API (of the given mode's workload); default its API Service DNS name. */
  readonly connectFor?: (kc: KafkaConnect, mode?: 'standalone' | 'distributed') => ConnectApi;
  /** How to reach one distributed worker; default its pod's DNS name. */
  readonly workerFor?: (kc: KafkaConnect, ordinal: number) => ConnectApi;
  /**
   * Where a cluster's REST API is, for the default (TLS-aware) clients: tests map it to
   * a local worker process; default its API Service DNS name.
   */
  readonly restUrlFor?: (kc: KafkaConnect) => string;
  /** Lifetimes of the REST certificates (tests shorten them); default rest-pki-plan.ts's. */
  readonly restPkiPolicy?: PkiPolicy;
}

export interface RunningOperator {
  readonly metrics: OperatorMetrics;
  readonly healthPort: number | undefined;
  stop(): Promise<void>;
}

type StoppableInformer<T extends KubernetesObject> = Informer<T> & { stop(): void | Promise<void> };

/** One watcher per namespace (or one cluster-wide), seen as a single informer. */
function informer<T extends KubernetesObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  namespaces: readonly string[],
  logger: Logger,
  labelSelector?: string,
): StoppableInformer<T> {
  const watchers = (namespaces.length ? namespaces : [undefined]).map(
    (ns) => new Watcher<T>({ kubeConfig: kc, path: collectionPath(ref, ns), labelSelector, logger }),
  );
  if (watchers.length === 1) return watchers[0]!;
  const byNs = (ns: string | undefined) => watchers[namespaces.indexOf(ns ?? '')];
  const combined: StoppableInformer<T> = {
    start: () => watchers.forEach((w) => w.start()),
    stop: async () => void (await Promise.all(watchers.map((w) => w.stop()))),
    hasSynced: () => watchers.every((w) => w.hasSynced()),
    waitForSync: async (signal?: AbortSignal) =>
      (await Promise.all(watchers.map((w) => w.waitForSync(signal)))).every(Boolean),
    get: (ns: string | undefined, name: string) => byNs(ns)?.get(ns, name),
    list: (ns?: string) => (ns === undefined ? watchers.flatMap((w) => w.list()) : (byNs(ns)?.list(ns) ?? [])),
    onEvent: (handler) => {
      const offs = watchers.map((w) => w.onEvent(handler));
      return () => offs.forEach((off) => off());
    },
  };
  return combined;
}

export async function startOperator(o: OperatorOptions): Promise<RunningOperator> {
  const { kubeConfig: kc, logger } = o;
  const managed = `app.kubernetes.io/managed-by=${OPERATOR_LABEL_VALUE}`;
  const clusters = informer<KafkaConnect & KubernetesObject>(kc, KAFKA_CONNECTS, o.namespaces, logger);
  const connectors = informer<Connector & KubernetesObject>(kc, CONNECTORS, o.namespaces, logger);
  const deployments = informer(kc, DEPLOYMENTS, o.namespaces, logger, managed);
  const statefulSets = informer(kc, STATEFUL_SETS, o.namespaces, logger, managed);
  const configMaps = informer(kc, CONFIG_MAPS, o.namespaces, logger, managed);
  const metrics = new OperatorMetrics();
  const applier = new Applier({ kubeConfig: kc });
  const restClient = new RestClient(kc);
  const events = new EventRecorder({ kubeConfig: kc, logger });
  const restTls = new RestTlsManager({
    rest: restClient,
    applier,
    events,
    now: () => new Date(),
    logger,
    ...(o.restPkiPolicy ? { policy: o.restPkiPolicy } : {}),
  });
  const clusterWork = new ClusterWork();
  const deps: ReconcileDeps = {
    clusters,
    connectors,
    deployments,
    statefulSets,
    configMaps,
    applier,
    rest: restClient,
    events,
    restTls,
    settings: o.settings,
    connectFor:
      o.connectFor ??
      ((k) => connectClientFor(restTls, k, o.restUrlFor?.(k) ?? names.apiUrl(k.metadata.name, k.metadata.namespace))),
    workerFor:
      o.workerFor ??
      ((k, i) =>
        connectClientFor(restTls, k, names.workerUrl(k.metadata.name, k.metadata.namespace ?? 'default', i), {
          timeoutMs: 10_000,
        })),
    clusterGate: new ClusterGate(),
    clusterWork,
    connectorDeleteGraceMs: o.connectorDeleteGraceMs ?? 120_000,
    now: () => new Date(),
    restartUnitMs: o.restartUnitMs ?? 60_000,
    logger,
  };
  // What the Connector reconciler remembers per connector (reconcile/memory.ts); each of its
  // reconciles counts as in flight for its cluster (reconcile/cluster-work.ts).
  const reconcileConnector = connectorReconciler(deps, new Memories(newConnectorMemory));
  const trackedByCluster = (key: string) => {
    const { namespace, name } = splitKey(key);
    const cluster = connectors.get(namespace, name)?.spec.clusterRef.name;
    return clusterWork.track(cluster === undefined ? undefined : `${namespace ?? ''}/${cluster}`, () =>
      reconcileConnector(key),
    );
  };
  const owned = ownerKeys('KafkaConnect', API_VERSION);
  const clusterController = new Controller({
    kind: 'KafkaConnect',
    primary: clusters,
    secondaries: [
      { informer: deployments, map: owned },
      { informer: statefulSets, map: owned },
      { informer: configMaps, map: owned },
    ],
    // What the KafkaConnect reconciler remembers per cluster (reconcile/memory.ts).
    reconcile: kafkaConnectReconciler(deps, new Memories(newClusterMemory)),
    workers: o.workers ?? 2,
    resyncPeriodMs: o.resyncPeriodMs,
    metrics,
    logger,
  });
  const connectorController = new Controller({
    kind: 'Connector',
    primary: connectors,
    secondaries: [
      {
        // A cluster that appears, becomes ready or changes re-reconciles its connectors.
        informer: clusters,
        map: (k) =>
          connectors
            .list(k.metadata?.namespace)
            .filter((c) => c.spec.clusterRef.name === k.metadata?.name)
            .map((c) => objectKey(c)),
      },
    ],
    reconcile: trackedByCluster,
    workers: o.connectorWorkers ?? o.workers ?? 8,
    resyncPeriodMs: o.resyncPeriodMs,
    metrics,
    logger,
  });

  const startControllers = async () => {
    await Promise.all([clusterController.start(), connectorController.start()]);
    logger.info('controllers started', { namespaces: o.namespaces.length ? o.namespaces : 'all' });
  };
  const stopControllers = async () => {
    await Promise.all([clusterController.stop(), connectorController.stop()]);
  };

  let elector: LeaderElector | undefined;
  if (o.leaderElection) {
    elector = new LeaderElector({
      kubeConfig: kc,
      namespace: o.settings.operatorNamespace,
      name: o.leaseName ?? 'sluice-operator-leader',
      logger,
      onStartedLeading: async () => {
        metrics.leader.set(1);
        await startControllers();
      },
      onStoppedLeading: async () => {
        metrics.leader.set(0);
        await stopControllers();
      },
    });
    await elector.start();
  } else {
    metrics.leader.set(1);
    await startControllers();
  }

  let health: HealthServer | undefined;
  let healthPort: number | undefined;
  if (o.healthPort !== undefined) {
    health = new HealthServer({
      port: o.healthPort,
      registry: metrics.registry,
      // A standby starts its caches only when it leads: it is ready to take over, so ready.
      synced: () =>
        (elector !== undefined && !elector.isLeader()) ||
        (clusterController.hasSynced() && connectorController.hasSynced()),
      isLeader: () => elector?.isLeader() ?? true,
    });
    healthPort = await health.start();
  }

  return {
    metrics,
    healthPort,
    stop: async () => {
      if (elector) await elector.stop();
      else await stopControllers();
      for (const i of [clusters, connectors, deployments, statefulSets, configMaps]) await i.stop();
      await health?.stop();
    },
  };
}
