// Reconciles a KafkaConnect: load, apply the desired objects of its mode,
// remove the other mode's workload, observe the workers, write status once.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { messageOf } from '../errors.js';
import { errorCode, splitKey, type ReconcileResult } from '../kube/index.js';
import { desired } from '../model/desired.js';
import { resolvedMode, resolvedReplicas } from '../model/spec.js';
import { names } from '../model/names.js';
import { OFFSETS_FROM_ANNOTATION } from '../model/labels.js';
import { restTlsEnabled } from '../tls/rest-tls-model.js';
import { ForeignSecretsError } from '../tls/rest-tls-manager.js';
import type { PluginInfo } from '../connect/connect-client.js';
import { clusterStatus, type ObservedWorkload } from './cluster-status.js';
import { readyCondition, setCondition } from './conditions.js';
import type { ReconcileDeps } from './deps.js';
import { KAFKA_CONNECTS } from '../api/v1alpha1/index.js';
import { sameJson } from './same-json.js';
import { DRAIN_RECHECK_MS, departingOrdinals, drainDeparting } from './scale-down.js';
import { captureSourceOffsets } from './offsets-handoff.js';
import { handoffConfigMap } from '../model/offsets-config-maps.js';
import { handleRuntimeSwitch } from './runtime-switch.js';
import { runtimeTraits } from '../model/runtime.js';
import { CONFLICT_REASON, conflictMessage, describeForeign, ownedBy } from './ownership.js';

const NOT_READY_RECHECK_MS = 15_000;
/** Certificate steps due later are left to the periodic resync (2 min). */
const TLS_RECHECK_WITHIN_MS = 110_000;
/**
 * An unchanged desired object is applied again at least this often even when
 * nothing says it drifted (kinds the operator does not watch: Services,
 * ServiceAccount, NetworkPolicy, PDB, PVC), so such drift heals within this.
 */
const REAPPLY_MS = 5 * 60_000;

/** What was last applied (or found gone) for one child of a cluster. */
interface Applied {
  /** hash of the desired object sent (with the owner's uid) */
  hash: string;
  at: number;
  /** the child's version as the apply returned it, for watched kinds */
  version: string | undefined;
}

export function kafkaConnectReconciler(deps: ReconcileDeps) {
  // Per cluster (namespace/name), per child (kind/name). In memory: after a
  // restart everything is applied once again.
  const applied = new Map<string, Map<string, Applied>>();
  /** Per cluster: when the current drained scale-down started. */
  const drainsStarted = new Map<string, number>();
  /** Per cluster: the mode switch whose offsets were captured ("<uid>/<from mode>"). */
  const captured = new Map<string, string>();
  /** Per cluster: the runtime switch handled ("<uid>/<from>-><to>", runtime-switch.ts). */
  const runtimeSwitches = new Map<string, string>();

  /**
   * The version of a watched child in the cache (generation for workloads,
   * whose status updates are no drift; resourceVersion otherwise), '' when the
   * cache has no such object, undefined for kinds the operator does not watch.
   */
  const cachedVersion = (kind: string | undefined, namespace: string | undefined, name: string) => {
    const informer =
      kind === 'Deployment'
        ? deps.deployments
        : kind === 'StatefulSet'
          ? deps.statefulSets
          : kind === 'ConfigMap'
            ? deps.configMaps
            : undefined;
    if (!informer) return undefined;
    const obj = informer.get(namespace, name);
    return obj ? versionOf(obj) : '';
  };

  /**
   * An object of this name that is not the cluster's own (ownership.ts), or
   * undefined when there is none or it is ours. The cache answers for watched
   * kinds when it holds our object; otherwise the apiserver does.
   */
  const foreignObject = async (
    kc: KafkaConnect,
    ref: { apiVersion: string; kind: string; name: string },
  ): Promise<KubernetesObject | undefined> => {
    const namespace = kc.metadata.namespace;
    const manager = deps.applier.fieldManager;
    const cached = cachedInformer(ref.kind)?.get(namespace, ref.name);
    if (cached && ownedBy(cached, kc, manager)) return undefined;
    const existing = await deps.applier.get({ ...ref, namespace });
    return existing && !ownedBy(existing, kc, manager) ? existing : undefined;
  };
  const cachedInformer = (kind: string) =>
    kind === 'Deployment' ? deps.deployments : kind === 'StatefulSet' ? deps.statefulSets : undefined;

  const beingDeleted = (kind: string, namespace: string | undefined, name: string): boolean => {
    const informer = kind === 'Deployment' ? deps.deployments : kind === 'StatefulSet' ? deps.statefulSets : undefined;
    return informer?.get(namespace, name)?.metadata?.deletionTimestamp !== undefined;
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const kc = deps.clusters.get(namespace, name);
    if (!kc || kc.metadata.deletionTimestamp) {
      applied.delete(key);
      deps.clusterGate.forget(key);
      deps.restTls?.forget(namespace ?? 'default', name);
      return; // owned objects are garbage-collected
    }
    const log = deps.logger;
    const d = desired(kc, deps.settings);
    const now = deps.now().getTime();
    // Hashes include the uid: a KafkaConnect recreated under the same name starts afresh.
    let records = applied.get(key);
    if (!records) applied.set(key, (records = new Map()));
    const fresh = (childKey: string, hash: string, kind: string | undefined, childName: string) => {
      const last = records.get(childKey);
      if (!last || last.hash !== hash || now - last.at >= REAPPLY_MS) return false;
      const version = cachedVersion(kind, namespace, childName);
      return version === undefined || version === last.version;
    };
    // Act on spec: apply every desired object not known to be in place already
    // (server-side apply stays the source of truth; this only saves requests
    // that would change nothing); a rejected one is reported, not retried in a loop.
    const failures: string[] = [];
    const conflicts: string[] = [];
    // The REST certificates exist before the pods that mount them.
    let tlsRecheckMs = Infinity;
    if (deps.restTls && restTlsEnabled(kc)) {
      try {
        tlsRecheckMs = await deps.restTls.ensure(kc);
      } catch (err) {
        const code = errorCode(err);
        if (err instanceof ForeignSecretsError) conflicts.push(...err.objects);
        else if (code === undefined || code >= 500 || code === 409) throw err;
        else failures.push(`REST certificates: ${messageOf(err)}`);
        log.warn('REST certificates not written', { cluster: key, code, error: messageOf(err) });
      }
    }
    await carryOffsetsAcrossModeSwitch(kc, d.obsoleteKinds);
    await handleRuntimeSwitch(deps, kc, runtimeSwitches);
    const draining = await drainBeforeScaleDown(key, kc, d.objects, now);
    for (const obj of d.objects) {
      const childName = obj.metadata?.name ?? '';
      const childKey = `${obj.kind}/${childName}`;
      const hash = `${kc.metadata.uid ?? ''}:${createHash('sha256').update(JSON.stringify(obj)).digest('base64url')}`;
      if (fresh(childKey, hash, obj.kind, childName)) continue;
      try {
        const foreign = await foreignObject(kc, {
          apiVersion: obj.apiVersion ?? '',
          kind: obj.kind ?? '',
          name: childName,
        });
        if (foreign) {
          records.delete(childKey);
          conflicts.push(describeForeign(foreign));
          continue;
        }
        const result = await deps.applier.apply(obj);
        const version = cachedVersion(obj.kind, namespace, childName) === undefined ? undefined : versionOf(result);
        records.set(childKey, { hash, at: now, version });
      } catch (err) {
        records.delete(childKey);
        const code = errorCode(err);
        if (code === undefined || code >= 500 || code === 409) throw err; // transient: back off and retry
        failures.push(`${obj.kind} ${obj.metadata?.name}: ${messageOf(err)}`);
        // Also in the log: a refused apply (e.g. a missing RBAC rule) must show in `kubectl logs`.
        log.warn('Apply refused', {
          cluster: key,
          kind: obj.kind,
          name: obj.metadata?.name,
          code,
          error: messageOf(err),
        });
      }
    }
    // Objects of this mode are not "gone" any more.
    for (const obj of d.objects) records.delete(`-${obj.kind}/${obj.metadata?.name ?? ''}`);
    for (const old of d.obsoleteKinds) {
      const goneKey = `-${old.kind}/${old.name}`;
      const gone = `${kc.metadata.uid ?? ''}:gone`;
      // Watched kinds: the cache says whether there is anything to delete; others: known gone lately.
      if (cachedVersion(old.kind, namespace, old.name) === '' || fresh(goneKey, gone, undefined, old.name)) continue;
      // A workload already being deleted (foreground: until its pods are gone) is not removed again.
      if (beingDeleted(old.kind, namespace, old.name)) continue;
      records.delete(`${old.kind}/${old.name}`);
      // Someone else's object of that name is not ours to remove.
      if (await foreignObject(kc, old)) {
        records.set(goneKey, { hash: gone, at: now, version: undefined });
        continue;
      }
      if (await deps.applier.delete({ ...old, namespace }, { propagationPolicy: 'Foreground' })) {
        await deps.events.normal(
          kc,
          'ModeChanged',
          `Removed ${old.kind} ${old.name}: the cluster now runs in ${resolvedMode(kc)} mode`,
        );
      } else {
        records.set(goneKey, { hash: gone, at: now, version: undefined });
      }
    }
    // Observe the world.
    const workload = observe(deps, kc);
    let plugins: PluginInfo[] | undefined;
    // Workers known to hang or fail are not asked again until that expires (connect/cluster-gate.ts).
    const direct = workload && workload.readyReplicas > 0 ? deps.connectFor(kc) : undefined;
    if (direct && !deps.clusterGate.knownFailure(kc, direct)) {
      const client = deps.clusterGate.guard(kc, direct);
      try {
        plugins = await client.plugins();
        for (const [logger, level] of Object.entries(kc.spec.logging?.loggers ?? {}))
          await client.setLoggerLevel(logger, level);
      } catch (err) {
        log.debug('Connect REST API not reachable yet', { cluster: key, error: messageOf(err) });
      }
    }

    // Status, once.
    let status = clusterStatus(
      kc,
      workload,
      plugins ??
        kc.status?.connectorPlugins?.map((p) => ({
          class: p.class ?? '',
          type: p.type ?? '',
          version: p.version ?? '',
        })),
      deps.now(),
    );
    if (conflicts.length > 0) {
      const message = conflictMessage(conflicts);
      status = {
        ...status,
        conditions: setCondition(
          status.conditions,
          readyCondition(false, CONFLICT_REASON, message, kc.metadata.generation),
          deps.now(),
        ),
      };
      await deps.events.warning(kc, CONFLICT_REASON, message);
      log.warn('Objects of the same name exist and are not ours: left alone', { cluster: key, objects: conflicts });
    } else if (failures.length > 0) {
      status = {
        ...status,
        conditions: setCondition(
          status.conditions,
          readyCondition(false, 'ApplyFailed', failures.join('; '), kc.metadata.generation),
          deps.now(),
        ),
      };
      await deps.events.warning(kc, 'ApplyFailed', failures.join('; '));
    }
    if (!sameJson(status, kc.status ?? {})) {
      await deps.applier.patchStatus(KAFKA_CONNECTS, namespace ?? '', name, status as Record<string, unknown>);
    }
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (draining) return { requeueAfter: DRAIN_RECHECK_MS };
    // A certificate renewal step due before the next resync.
    const tlsRequeue = tlsRecheckMs < TLS_RECHECK_WITHIN_MS ? tlsRecheckMs : undefined;
    if (ready || resolvedReplicas(kc) === 0) return tlsRequeue === undefined ? undefined : { requeueAfter: tlsRequeue };
    return { requeueAfter: Math.min(NOT_READY_RECHECK_MS, tlsRequeue ?? Infinity) };
  };

  /**
   * A mode switch with the old workload still there: before anything of the
   * new mode runs, stop the old workers' source connectors and keep their
   * offsets for the new workers (offsets-handoff.ts). Once per switch.
   */
  async function carryOffsetsAcrossModeSwitch(
    kc: KafkaConnect,
    obsolete: ReadonlyArray<{ kind: string; name: string }>,
  ): Promise<void> {
    const namespace = kc.metadata.namespace;
    const key = `${namespace ?? ''}/${kc.metadata.name}`;
    const old = obsolete.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    if (!old || cachedVersion(old.kind, namespace, old.name) === '') {
      captured.delete(key);
      return;
    }
    const fromMode = resolvedMode(kc) === 'standalone' ? 'distributed' : 'standalone';
    // Once per switch: remembered here too, as the ConfigMap may not be in the cache yet.
    if (captured.get(key) === `${kc.metadata.uid ?? ''}/${fromMode}`) return;
    const existing = deps.configMaps.get(namespace, names.offsetsHandoff(kc.metadata.name));
    if (existing?.metadata?.annotations?.[OFFSETS_FROM_ANNOTATION] === fromMode) return;
    const client = deps.connectFor(kc, fromMode);
    if (!(await client.health())) {
      await deps.events.warning(
        kc,
        'OffsetsNotCarried',
        `The ${fromMode} workers are not reachable: source connectors start from the offsets the ${resolvedMode(kc)} workers have`,
      );
      return;
    }
    const { offsets, skipped } = await captureSourceOffsets(client);
    await deps.applier.apply(handoffConfigMap(kc, offsets, fromMode));
    captured.set(key, `${kc.metadata.uid ?? ''}/${fromMode}`);
    await deps.events.normal(
      kc,
      'OffsetsCaptured',
      `Stopped ${offsets.size} source connector(s) on the ${fromMode} workers and kept their offsets for the ${resolvedMode(kc)} workers` +
        (skipped.length ? `; not carried (name not usable as a ConfigMap key): ${skipped.join(', ')}` : ''),
    );
  }

  /**
   * Distributed mode, fewer replicas than the StatefulSet has: drain the
   * departing workers first. Until they are drained the desired StatefulSet
   * keeps its current size (changed in place in `objects`); returns whether
   * it is still waiting.
   */
  async function drainBeforeScaleDown(
    key: string,
    kc: KafkaConnect,
    objects: KubernetesObject[],
    now: number,
  ): Promise<boolean> {
    const wanted = resolvedReplicas(kc);
    const sts = deps.statefulSets.get(kc.metadata.namespace, names.workload(kc.metadata.name)) as
      (KubernetesObject & { spec?: { replicas?: number } }) | undefined;
    const current = sts?.spec?.replicas ?? 0;
    // Scaling to zero stops the whole cluster: nobody could take the work.
    // Apache Kafka Connect has no drain endpoint: its workers stop gracefully and, with
    // scheduled.rebalance.max.delay.ms 0 (runtime.ts), their tasks move at once.
    if (resolvedMode(kc) !== 'distributed' || wanted === 0 || wanted >= current || !runtimeTraits(kc).canDrain) {
      drainsStarted.delete(key);
      return false;
    }
    const ordinals = departingOrdinals(current, wanted);
    let startedAt = drainsStarted.get(key);
    if (startedAt === undefined) {
      drainsStarted.set(key, (startedAt = now));
      await deps.events.normal(
        kc,
        'Draining',
        `Draining worker(s) ${ordinals.map((i) => names.pod(kc.metadata.name, i)).join(', ')} before scaling down to ${wanted}`,
      );
    }
    const progress = await drainDeparting(kc, ordinals, deps.workerFor, startedAt, now, deps.logger);
    if (progress.phase === 'draining') {
      const workload = objects.find((o) => o.kind === 'StatefulSet') as
        (KubernetesObject & { spec: { replicas?: number } }) | undefined;
      if (workload) workload.spec.replicas = current;
      return true;
    }
    drainsStarted.delete(key);
    if (progress.phase === 'timed-out')
      await deps.events.warning(
        kc,
        'DrainTimedOut',
        `Worker(s) ${progress.waitingFor.join(', ')} did not drain in time; scaling down to ${wanted} anyway`,
      );
    else await deps.events.normal(kc, 'Drained', `Drained worker(s) ${ordinals.join(', ')}; scaling down to ${wanted}`);
    return false;
  }
}

function versionOf(obj: KubernetesObject): string {
  const meta = obj.metadata ?? {};
  return meta.generation !== undefined ? `g${meta.generation}` : `r${meta.resourceVersion ?? ''}`;
}

function observe(deps: ReconcileDeps, kc: KafkaConnect): ObservedWorkload | undefined {
  const informer = resolvedMode(kc) === 'standalone' ? deps.deployments : deps.statefulSets;
  const obj = informer.get(kc.metadata.namespace, names.workload(kc.metadata.name)) as
    (KubernetesObject & { status?: Record<string, number> }) | undefined;
  if (!obj) return undefined;
  const s = obj.status ?? {};
  return {
    replicas: s['replicas'] ?? 0,
    readyReplicas: s['readyReplicas'] ?? 0,
    updatedReplicas: s['updatedReplicas'] ?? 0,
  };
}
