// Status, once, computed from the world (cluster-status.ts), with a
// conflict or a refusal of this pass as the Ready condition; then when to
// look again: soon while draining, at the next certificate step, or while
// the workers are not ready.
import { KAFKA_CONNECTS } from '../../api/v1alpha1/index.js';
import { resolvedReplicas } from '../../model/spec.js';
import { clusterStatus } from '../cluster-status.js';
import { readyCondition, setCondition } from '../conditions.js';
import { CONFLICT_REASON, conflictMessage } from '../ownership.js';
import { sameJson } from '../same-json.js';
import { DRAIN_RECHECK_MS } from '../scale-down.js';
import { done, requeueAfter, type Step } from '../steps.js';
import type { ClusterPass } from './pass.js';

const NOT_READY_RECHECK_MS = 15_000;
/** Certificate steps due later are left to the periodic resync (2 min). */
const TLS_RECHECK_WITHIN_MS = 110_000;

export const reportStatus: Step<ClusterPass> = {
  name: 'report-status',
  async run({ deps, key, kc, conflicts, failures, workload, plugins, drainingAt, tlsRecheckMs }) {
    const known = kc.status?.connectorPlugins?.map((p) => ({
      class: p.class ?? '',
      type: p.type ?? '',
      version: p.version ?? '',
    }));
    let status = clusterStatus(kc, workload, plugins ?? known, deps.now());
    const problem =
      conflicts.length > 0
        ? { reason: CONFLICT_REASON, message: conflictMessage(conflicts) }
        : failures.length > 0
          ? { reason: 'ApplyFailed', message: failures.join('; ') }
          : undefined;
    if (problem) {
      status = {
        ...status,
        conditions: setCondition(
          status.conditions,
          readyCondition(false, problem.reason, problem.message, kc.metadata.generation),
          deps.now(),
        ),
      };
      await deps.events.warning(kc, problem.reason, problem.message);
      if (conflicts.length > 0)
        deps.logger.warn('Objects of the same name exist and are not ours: left alone', {
          cluster: key,
          objects: conflicts,
        });
    }
    if (!sameJson(status, kc.status ?? {})) {
      await deps.applier.patchStatus(
        KAFKA_CONNECTS,
        kc.metadata.namespace ?? '',
        kc.metadata.name,
        status as Record<string, unknown>,
      );
    }
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (drainingAt !== undefined) return requeueAfter(DRAIN_RECHECK_MS);
    // A certificate renewal step due before the next resync.
    const tlsRequeue = tlsRecheckMs < TLS_RECHECK_WITHIN_MS ? tlsRecheckMs : undefined;
    if (ready || resolvedReplicas(kc) === 0) return tlsRequeue === undefined ? done : requeueAfter(tlsRequeue);
    return requeueAfter(Math.min(NOT_READY_RECHECK_MS, tlsRequeue ?? Infinity));
  },
};
