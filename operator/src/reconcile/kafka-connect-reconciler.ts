// Reconciles a KafkaConnect: load, apply the desired objects of its mode,
// remove the other mode's workload, observe the workers, write status once.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { errorCode, splitKey, type ReconcileResult } from '../kube/index.js';
import { desired } from '../model/desired.js';
import { resolvedMode, resolvedReplicas } from '../model/spec.js';
import { names } from '../model/names.js';
import type { PluginInfo } from '../connect/connect-client.js';
import { clusterStatus, type ObservedWorkload } from './cluster-status.js';
import { readyCondition, setCondition } from './conditions.js';
import { KAFKA_CONNECTS, type ReconcileDeps } from './deps.js';

const NOT_READY_RECHECK_MS = 15_000;

export function kafkaConnectReconciler(deps: ReconcileDeps) {
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const kc = deps.clusters.get(namespace, name);
    if (!kc || kc.metadata.deletionTimestamp) return; // owned objects are garbage-collected
    const log = deps.logger;
    const d = desired(kc, deps.settings);

    // Act on spec: apply every desired object; a rejected one is reported, not retried in a loop.
    const failures: string[] = [];
    for (const obj of d.objects) {
      try {
        await deps.applier.apply(obj);
      } catch (err) {
        const code = errorCode(err);
        if (code === undefined || code >= 500 || code === 409) throw err; // transient: back off and retry
        failures.push(`${obj.kind} ${obj.metadata?.name}: ${messageOf(err)}`);
      }
    }
    for (const old of d.obsoleteKinds) {
      if (await deps.applier.delete({ ...old, namespace }, { propagationPolicy: 'Foreground' })) {
        await deps.events.normal(
          kc,
          'ModeChanged',
          `Removed ${old.kind} ${old.name}: the cluster now runs in ${resolvedMode(kc)} mode`,
        );
      }
    }

    // Observe the world.
    const workload = observe(deps, kc);
    let plugins: PluginInfo[] | undefined;
    if (workload && workload.readyReplicas > 0) {
      const client = deps.connectFor(kc);
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
    if (failures.length > 0) {
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
    if (JSON.stringify(status) !== JSON.stringify(kc.status ?? {})) {
      await deps.applier.patchStatus(KAFKA_CONNECTS, namespace ?? '', name, status as Record<string, unknown>);
    }
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready || resolvedReplicas(kc) === 0 ? undefined : { requeueAfter: NOT_READY_RECHECK_MS };
  };
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

export function messageOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return err instanceof Error ? err.message : String(err);
}
