// The Connector's writes to the apiserver: its metadata (finalizer,
// consumed annotations) and its status, written only when it changed.
import type { Connector, ConnectorStatus as CrStatus } from '../../api/v1alpha1/index.js';
import { CONNECTORS } from '../../api/v1alpha1/index.js';
import { objectPath } from '../../kube/index.js';
import { readyCondition, setCondition } from '../conditions.js';
import type { ReconcileDeps } from '../deps.js';
import { sameJson } from '../same-json.js';
import type { ConnectorPass } from './pass.js';

export const patchMeta = (deps: ReconcileDeps, cr: Connector, metadata: Record<string, unknown>) =>
  deps.rest.request({
    method: 'PATCH',
    path: objectPath(CONNECTORS, cr.metadata.namespace, cr.metadata.name),
    body: { metadata },
    contentType: 'application/merge-patch+json',
  });

export async function writeStatus(deps: ReconcileDeps, cr: Connector, status: CrStatus): Promise<void> {
  if (sameJson(status, cr.status ?? {})) return;
  await deps.applier.patchStatus(
    CONNECTORS,
    cr.metadata.namespace,
    cr.metadata.name,
    status as Record<string, unknown>,
  );
}

/** Ready False for `reason`, the rest of the status kept (plus `extra`). */
export async function reportNotReady(
  { deps, cr }: ConnectorPass,
  reason: string,
  message: string,
  extra: Partial<CrStatus> = {},
): Promise<void> {
  await writeStatus(deps, cr, {
    ...(cr.status ?? {}),
    ...extra,
    observedGeneration: cr.metadata.generation,
    conditions: setCondition(
      cr.status?.conditions,
      readyCondition(false, reason, message, cr.metadata.generation),
      deps.now(),
    ),
  });
}

/** The status fields every not-ready report past require-cluster carries. */
export const clusterFields = (pass: ConnectorPass): Partial<CrStatus> => ({
  labelSelector: pass.labelSelector,
  tasksMax: pass.cr.spec.tasksMax ?? 1,
});
