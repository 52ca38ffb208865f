// Reconciles a Connector through its cluster's REST API: finalizer, create
// with initial_state or PUT only on drift, align state, restarts (automatic
// and on demand), offsets on demand, and status mirrored once per pass.
import type { Connector, ConnectorStatus as CrStatus, KafkaConnect } from '../api/v1alpha1/index.js';
import { ConnectApiError, withConnectRetry, type ConnectApi } from '../connect/connect-client.js';
import { codeOf } from '../errors.js';
import { CONFIG_MAPS, errorCode, objectPath, splitKey, type ReconcileResult } from '../kube/index.js';
import {
  CONNECTOR_FINALIZER,
  CONNECTOR_LABEL,
  OFFSETS_ANNOTATION,
  RESTART_ANNOTATION,
  RESTART_TASK_ANNOTATION,
  selectorLabels,
  selectorString,
} from '../model/labels.js';
import { connectorOffsetsConfigMap } from '../model/offsets-config-maps.js';
import {
  autoRestart,
  isFailed,
  connectorConfig,
  initialState,
  mirroredStatus,
  readiness,
  sameConfig,
  stateAction,
} from './connector-logic.js';
import { readyCondition, setCondition } from './conditions.js';
import type { ReconcileDeps } from './deps.js';
import { CONNECTORS } from '../api/v1alpha1/index.js';
import { sameJson } from './same-json.js';
import { messageOf } from './kafka-connect-reconciler.js';
import { handedOffOffsets, stopAndWait } from './offsets-handoff.js';
import { names } from '../model/names.js';
import { resolvedMode } from '../model/spec.js';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { SECRET_NOT_ALLOWED, sealConnectorSecrets } from '../model/connector-secrets.js';
import { secretsMounted } from './secret-mounts.js';

const FINALIZER = CONNECTOR_FINALIZER;

/** How often to mirror status while healthy, and to look again while not. */
const RESYNC_MS = 60_000;
const UNSETTLED_MS = 3_000;
const CLUSTER_WAIT_MS = 10_000;
const MODE_SWITCH_RECHECK_MS = 2_000;
/** Connectors of a cluster whose workers stay unreachable look again less and less often, up to this. */
const CLUSTER_WAIT_MAX_MS = 60_000;
/** How often a delete that the workers do not confirm tries again during its grace period. */
const DELETE_RETRY_MS = 5_000;

export function connectorReconciler(deps: ReconcileDeps) {
  const patchMeta = (cr: Connector, metadata: Record<string, unknown>) =>
    deps.rest.request({
      method: 'PATCH',
      path: objectPath(CONNECTORS, cr.metadata.namespace, cr.metadata.name),
      body: { metadata },
      contentType: 'application/merge-patch+json',
    });

  const writeStatus = async (cr: Connector, status: CrStatus) => {
    if (sameJson(status, cr.status ?? {})) return;
    await deps.applier.patchStatus(
      CONNECTORS,
      cr.metadata.namespace,
      cr.metadata.name,
      status as Record<string, unknown>,
    );
  };

  // Health of a cluster, shared by its connectors (connect/cluster-gate.ts): a cluster
  // that hangs or fails answers at once for all of them instead of costing each a timeout.
  // Requests that find the cluster in trouble are remembered there too.
  const gatedClient = (cluster: KafkaConnect): ConnectApi => deps.clusterGate.guard(cluster, deps.connectFor(cluster));

  /** The cluster mode each connector last ran under, to notice a switch it did not see happen. */
  const lastMode = new Map<string, string>();
  const applyHandedOffOffsets = (
    cr: Connector,
    cluster: KafkaConnect,
    client: ConnectApi,
    wanted: Record<string, string>,
  ) => {
    const key = `${cr.metadata.namespace}/${cr.metadata.name}`;
    const mode = resolvedMode(cluster);
    const previous = lastMode.get(key);
    lastMode.set(key, mode);
    const switched =
      (previous !== undefined && previous !== mode) ||
      cr.status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'ModeSwitching';
    return applyHandedOffOffsetsImpl(deps, cr, cluster, client, wanted, switched);
  };

  /** The cluster's workload of the other mode still exists (a mode switch under way). */
  const switchingModes = (cluster: KafkaConnect): boolean => {
    const other = resolvedMode(cluster) === 'standalone' ? deps.statefulSets : deps.deployments;
    return other.get(cluster.metadata.namespace, names.workload(cluster.metadata.name)) !== undefined;
  };

  // Consecutive ClusterNotReady passes per connector, for the backoff.
  const waits = new Map<string, number>();

  const notReady = async (
    cr: Connector,
    reason: string,
    message: string,
    extra: Partial<CrStatus> = {},
  ): Promise<ReconcileResult> => {
    await writeStatus(cr, {
      ...(cr.status ?? {}),
      ...extra,
      observedGeneration: cr.metadata.generation,
      conditions: setCondition(
        cr.status?.conditions,
        readyCondition(false, reason, message, cr.metadata.generation),
        deps.now(),
      ),
    });
    return { requeueAfter: CLUSTER_WAIT_MS };
  };

  /**
   * Deletes the connector from its cluster's workers. Undefined: done (or given
   * up on), release the finalizer. Any error that persists past the grace
   * period (workers unreachable, hanging, answering 5xx or refusing) lets the
   * resource go with a Warning, so neither a delete nor a namespace deletion
   * hangs on a broken cluster; meanwhile it tries again every few seconds.
   */
  const deleteFromWorkers = async (cr: Connector, cluster: KafkaConnect): Promise<ReconcileResult | undefined> => {
    const name = cr.metadata.name;
    const client = gatedClient(cluster);
    const age = deps.now().getTime() - Date.parse(cr.metadata.deletionTimestamp as unknown as string);
    const grace = deps.connectorDeleteGraceMs;
    let failure: unknown;
    const known = deps.clusterGate.knownFailure(cluster, client);
    if (known?.state === 'unhealthy') failure = new Error(known.reason);
    else {
      try {
        await withConnectRetry(() => client.deleteConnector(name));
        return undefined;
      } catch (err) {
        failure = err;
      }
    }
    const why = failure instanceof Error ? failure.message : String(failure);
    if (age < grace) {
      deps.logger.warn('connector delete not confirmed by the workers; trying again', {
        connector: `${cr.metadata.namespace}/${name}`,
        code: codeOf(failure),
        error: why,
      });
      await deps.events.warning(
        cr,
        'DeletePending',
        `Cannot delete connector ${name} from ${cluster.metadata.name} (${why}); the resource goes anyway after ${Math.round(grace / 1000)} s`,
      );
      return { requeueAfter: Math.max(0, Math.min(DELETE_RETRY_MS, grace - age)) };
    }
    await deps.events.warning(
      cr,
      'DeleteUnconfirmed',
      `Workers of ${cluster.metadata.name} failed for ${Math.round(age / 1000)} s (${why}); connector ${name} may still exist there`,
    );
    return undefined;
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cr = deps.connectors.get(namespace, name);
    if (!cr) {
      waits.delete(key);
      lastMode.delete(key);
      return;
    }
    const cluster = deps.clusters.get(namespace, cr.spec.clusterRef.name);

    if (cr.metadata.deletionTimestamp) {
      if (!cr.metadata.finalizers?.includes(FINALIZER)) return;
      if (cluster && !cluster.metadata.deletionTimestamp) {
        const pending = await deleteFromWorkers(cr, cluster);
        if (pending !== undefined) return pending;
      }
      await patchMeta(cr, { finalizers: cr.metadata.finalizers.filter((f) => f !== FINALIZER) });
      return;
    }
    if (!cr.metadata.finalizers?.includes(FINALIZER)) {
      await patchMeta(cr, { finalizers: [...(cr.metadata.finalizers ?? []), FINALIZER] });
    }
    if (!cluster)
      return notReady(
        cr,
        'ClusterNotFound',
        `KafkaConnect ${cr.spec.clusterRef.name} does not exist in namespace ${namespace}`,
      );
    const labelSelector = selectorString(selectorLabels(cluster.metadata.name));
    if (switchingModes(cluster))
      return notReady(
        cr,
        'ModeSwitching',
        `KafkaConnect ${cluster.metadata.name} is switching to ${resolvedMode(cluster)} mode; the connector moves once the old workers are gone`,
        { labelSelector, tasksMax: cr.spec.tasksMax ?? 1 },
      ).then(() => ({ requeueAfter: MODE_SWITCH_RECHECK_MS }));
    // A request that finds the cluster in trouble (it hangs, refuses, fails) is
    // remembered, so the cluster's other connectors do not each wait it out.
    const client = gatedClient(cluster);
    const verdict = await deps.clusterGate.probe(cluster, client);
    // A probe still running (a worker that hangs): look again later, backing off like a cluster
    // that is not ready, without holding a reconcile slot.
    if (verdict.state === 'pending') {
      const n = waits.get(key) ?? 0;
      waits.set(key, n + 1);
      return { requeueAfter: Math.min(verdict.retryInMs * 2 ** n, CLUSTER_WAIT_MAX_MS) };
    }
    if (verdict.state === 'unhealthy') {
      await notReady(
        cr,
        'ClusterNotReady',
        `The workers of KafkaConnect ${cluster.metadata.name} are not reachable yet`,
        { labelSelector, tasksMax: cr.spec.tasksMax ?? 1 },
      );
      // Any change of the KafkaConnect (e.g. its workers becoming ready) re-queues its
      // connectors at once; the timer only covers what no event reports.
      const n = waits.get(key) ?? 0;
      waits.set(key, n + 1);
      return { requeueAfter: Math.min(CLUSTER_WAIT_MS * 2 ** n, CLUSTER_WAIT_MAX_MS) };
    }
    waits.delete(key);
    // Config: create with the desired initial state, or PUT only when it drifted.
    // Secrets: ${secret:...} becomes the placeholder of the mounted Secret, if the cluster allows it.
    const sealed = sealConnectorSecrets(connectorConfig(cr), cluster);
    if (!sealed.ok) {
      await deps.events.warning(cr, SECRET_NOT_ALLOWED, sealed.message);
      await notReady(cr, SECRET_NOT_ALLOWED, sealed.message, { labelSelector, tasksMax: cr.spec.tasksMax ?? 1 });
      return { requeueAfter: RESYNC_MS };
    }
    const wanted = sealed.config;
    const mountPending = () =>
      notReady(
        cr,
        'WaitingForSecretMount',
        `Waiting for the workers of ${cluster.metadata.name} to run with Secret(s) ${sealed.secrets.join(', ')} mounted`,
        { labelSelector, tasksMax: cr.spec.tasksMax ?? 1 },
      ).then(() => ({ requeueAfter: UNSETTLED_MS }));
    await applyHandedOffOffsets(cr, cluster, client, wanted);
    try {
      const live = await withConnectRetry(() => client.connectorConfig(name));
      if ((live === null || !sameConfig(live, wanted)) && !secretsMounted(deps, cluster, sealed.secrets))
        return mountPending();
      if (live === null) {
        await withConnectRetry(() => client.createConnector(name, wanted, initialState(cr)));
        await deps.events.normal(cr, 'Created', `Created connector ${name} on ${cluster.metadata.name}`);
      } else if (!sameConfig(live, wanted)) {
        await withConnectRetry(() => client.putConnectorConfig(name, wanted));
        await deps.events.normal(cr, 'Updated', `Updated the configuration of connector ${name}`);
      }
    } catch (err) {
      if (err instanceof ConnectApiError && err.status === 400) {
        // Invalid config: report Kafka Connect's validation errors; nothing to retry until the spec changes.
        await deps.events.warning(cr, 'InvalidConfig', err.message);
        await notReady(cr, 'InvalidConfig', messageOfConnect(err), {
          labelSelector,
          tasksMax: cr.spec.tasksMax ?? 1,
        });
        return { requeueAfter: RESYNC_MS };
      }
      throw err;
    }

    let status = await withConnectRetry(() => client.connectorStatus(name));
    if (!status) return { requeueAfter: UNSETTLED_MS };

    // Align the target state.
    const action = stateAction(cr, status.connector.state);
    if (action) {
      await withConnectRetry(() => client[action](name));
      status = (await client.connectorStatus(name)) ?? status;
    }

    // On-demand restarts, then automatic ones.
    await handleRestartAnnotations(cr, client, patchMeta);
    const offsetsNote = await handleOffsetsAnnotation(cr, cluster, client, patchMeta, deps);
    // Restart counters must come from the latest status, not from a cache that
    // may not have seen our last write yet (it would restart too early and count wrong).
    const current = isFailed(status) ? await readConnector(deps, cr) : cr;
    const restart = autoRestart(current, status, deps.now(), deps.restartUnitMs);
    if (restart.restart) {
      await withConnectRetry(() => client.restartConnector(name, { includeTasks: true, onlyFailed: true }));
      await deps.events.warning(cr, 'AutoRestarted', `Restarted failed connector/tasks (restart ${restart.count})`);
    }

    // Status, once.
    const topics = await client.topics(name).catch(() => undefined);
    const r = readiness(cr, status);
    const next: CrStatus = {
      ...mirroredStatus(cr, status, topics),
      observedGeneration: cr.metadata.generation,
      labelSelector,
      autoRestart: {
        count: restart.count,
        ...(restart.lastRestartTime ? { lastRestartTime: restart.lastRestartTime } : {}),
      },
      conditions: setCondition(
        cr.status?.conditions,
        readyCondition(r.ready, r.reason, offsetsNote ?? r.message, cr.metadata.generation),
        deps.now(),
      ),
    };
    await writeStatus(cr, next);
    if (restart.requeueAfterMs !== undefined) return { requeueAfter: restart.requeueAfterMs };
    return { requeueAfter: r.ready && !restart.restart ? RESYNC_MS : UNSETTLED_MS };
  };
}

/** The connector's source offsets kept across a mode switch: applied while it is stopped, before it runs. */
async function applyHandedOffOffsetsImpl(
  deps: ReconcileDeps,
  cr: Connector,
  cluster: KafkaConnect,
  client: ConnectApi,
  wanted: Record<string, string>,
  fresh: boolean,
): Promise<void> {
  const name = cr.metadata.name;
  const cmName = names.offsetsHandoff(cluster.metadata.name);
  // Right after a switch the cache may not have seen the ConfigMap yet (it is a
  // different watch than the workload's): then ask the apiserver.
  const cm = fresh
    ? await deps.rest
        .request<V1ConfigMap>({ method: 'GET', path: objectPath(CONFIG_MAPS, cr.metadata.namespace, cmName) })
        .catch((err: unknown) => {
          if (errorCode(err) === 404) return undefined;
          throw err;
        })
    : (deps.configMaps.get(cr.metadata.namespace, cmName) as V1ConfigMap | undefined);
  const carried = handedOffOffsets(cm, name);
  if (!carried) return;
  const live = await withConnectRetry(() => client.connectorConfig(name));
  if (live === null) await withConnectRetry(() => client.createConnector(name, wanted, 'STOPPED'));
  else await stopAndWait(client, name);
  if (carried.offsets.length > 0) await withConnectRetry(() => client.alterOffsets(name, carried));
  await deps.rest.request({
    method: 'PATCH',
    path: objectPath(CONFIG_MAPS, cr.metadata.namespace, cmName),
    body: { data: { [name]: null } },
    contentType: 'application/merge-patch+json',
  });
  await deps.events.normal(
    cr,
    'OffsetsCarried',
    `Carried ${carried.offsets.length} source offset(s) over from the previous mode of ${cluster.metadata.name}`,
  );
}

async function handleRestartAnnotations(
  cr: Connector,
  client: ConnectApi,
  patchMeta: (cr: Connector, m: Record<string, unknown>) => Promise<unknown>,
) {
  const annotations = cr.metadata.annotations ?? {};
  const restart = annotations[RESTART_ANNOTATION];
  const task = annotations[RESTART_TASK_ANNOTATION];
  if (restart === undefined && task === undefined) return;
  if (restart !== undefined) {
    const flags = restart.split(',').map((s) => s.trim());
    await withConnectRetry(() =>
      client.restartConnector(cr.metadata.name, {
        includeTasks: flags.includes('includeTasks'),
        onlyFailed: flags.includes('onlyFailed'),
      }),
    );
  }
  if (task !== undefined && /^\d+$/.test(task))
    await withConnectRetry(() => client.restartTask(cr.metadata.name, Number(task)));
  await patchMeta(cr, { annotations: { [RESTART_ANNOTATION]: null, [RESTART_TASK_ANNOTATION]: null } });
}

/**
 * `sluice.dev/offsets: list` writes the offsets to ConfigMap <name>-offsets
 * (key offsets.json); `alter` applies that ConfigMap; `reset` deletes them.
 * alter and reset need state: stopped (Kafka Connect's rule).
 */
async function handleOffsetsAnnotation(
  cr: Connector,
  cluster: KafkaConnect,
  client: ConnectApi,
  patchMeta: (cr: Connector, m: Record<string, unknown>) => Promise<unknown>,
  deps: ReconcileDeps,
): Promise<string | undefined> {
  const op = cr.metadata.annotations?.[OFFSETS_ANNOTATION];
  if (!op) return undefined;
  const cmName = names.connectorOffsets(cr.metadata.name);
  let note: string;
  try {
    if (op === 'list') {
      const offsets = await client.offsets(cr.metadata.name);
      // Never over someone else's ConfigMap of that name (ownership.ts): ours carry the connector label.
      const existing = await deps.applier.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: cr.metadata.namespace,
        name: cmName,
      });
      if (existing && existing.metadata?.labels?.[CONNECTOR_LABEL] !== cr.metadata.name)
        throw new Error(
          `ConfigMap ${cmName} already exists and was not written for connector ${cr.metadata.name}: left unchanged`,
        );
      await deps.applier.apply(
        connectorOffsetsConfigMap(cr.metadata.name, cr.metadata.namespace, cluster.metadata.name, offsets),
      );
      note = `Offsets listed in ConfigMap ${cmName}`;
    } else if (op === 'alter') {
      const cm = await deps.rest.request<{ data?: Record<string, string> }>({
        method: 'GET',
        path: objectPath(CONFIG_MAPS, cr.metadata.namespace, cmName),
      });
      note = await client.alterOffsets(cr.metadata.name, JSON.parse(cm.data?.['offsets.json'] ?? '{"offsets":[]}'));
    } else if (op === 'reset') {
      note = await client.resetOffsets(cr.metadata.name);
    } else {
      note = `Unknown ${OFFSETS_ANNOTATION} value "${op}" (list, alter or reset)`;
    }
    await deps.events.normal(cr, 'Offsets', note);
  } catch (err) {
    note = `Offsets ${op} failed: ${err instanceof ConnectApiError ? messageOfConnect(err) : messageOf(err)}`;
    await deps.events.warning(cr, 'OffsetsFailed', note);
  }
  await patchMeta(cr, { annotations: { [OFFSETS_ANNOTATION]: null } });
  return note;
}

async function readConnector(deps: ReconcileDeps, cr: Connector): Promise<Connector> {
  try {
    return await deps.rest.request<Connector>({
      method: 'GET',
      path: objectPath(CONNECTORS, cr.metadata.namespace, cr.metadata.name),
    });
  } catch {
    return cr;
  }
}

const messageOfConnect = (err: ConnectApiError) => err.detail;
