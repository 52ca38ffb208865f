// A Connector being deleted: delete it from its cluster's workers, then
// release the finalizer. Undefined from deleteFromWorkers: done (or given up
// on). Any error that persists past the grace period (workers unreachable,
// hanging, answering 5xx or refusing) lets the resource go with a Warning,
// so neither a delete nor a namespace deletion hangs on a broken cluster;
// meanwhile it tries again every few seconds.
import type { Connector, KafkaConnect } from '../../api/v1alpha1/index.js';
import { withConnectRetry } from '../../connect/connect-client.js';
import { codeOf } from '../../errors.js';
import { CONNECTOR_FINALIZER } from '../../model/labels.js';
import type { ReconcileDeps } from '../deps.js';
import { done, proceed, requeueAfter, type Step, type StepResult } from '../steps.js';
import type { ConnectorPass } from './pass.js';
import { patchMeta } from './report.js';

/** How often a delete that the workers do not confirm tries again during its grace period. */
const DELETE_RETRY_MS = 5_000;

export const finalizeDeletion: Step<ConnectorPass> = {
  name: 'finalize-deletion',
  async run({ deps, cr, cluster }) {
    if (!cr.metadata.deletionTimestamp) return proceed;
    const finalizers = cr.metadata.finalizers ?? [];
    if (!finalizers.includes(CONNECTOR_FINALIZER)) return done;
    if (cluster && !cluster.metadata.deletionTimestamp) {
      const pending = await deleteFromWorkers(deps, cr, cluster);
      if (pending !== undefined) return pending;
    }
    await patchMeta(deps, cr, { finalizers: finalizers.filter((f) => f !== CONNECTOR_FINALIZER) });
    return done;
  },
};

async function deleteFromWorkers(
  deps: ReconcileDeps,
  cr: Connector,
  cluster: KafkaConnect,
): Promise<StepResult | undefined> {
  const name = cr.metadata.name;
  const client = deps.clusterGate.guard(cluster, deps.connectFor(cluster));
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
    return requeueAfter(Math.max(0, Math.min(DELETE_RETRY_MS, grace - age)));
  }
  await deps.events.warning(
    cr,
    'DeleteUnconfirmed',
    `Workers of ${cluster.metadata.name} failed for ${Math.round(age / 1000)} s (${why}); connector ${name} may still exist there`,
  );
  return undefined;
}
