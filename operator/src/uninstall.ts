// `sluice-operator release-finalizers`: what the chart's pre-delete hook runs
// on `helm uninstall`. Without the operator nobody removes the
// sluice.dev/connector-cleanup finalizer, so deleting a namespace that still
// holds Connectors would hang for ever (issue 11). The hook stops the operator
// first (its Deployment scaled to 0, its pods gone), so that it cannot put a
// finalizer back, then takes the finalizer off every Connector it watched.
// The connectors on the workers are left as they are: the workers keep
// running them until their KafkaConnect or namespace is deleted.
import { CONNECTORS } from './api/v1alpha1/index.js';
import { CONNECTOR_FINALIZER as FINALIZER } from './model/labels.js';
import { collectionPath, objectPath } from './kube/resource-path.js';
import type { RestClient } from './kube/rest.js';

export interface ReleaseOptions {
  /** the operator's Deployment */
  readonly namespace: string;
  readonly deployment: string;
  /** label selector of the operator's pods (k=v,k=v) */
  readonly podSelector: string;
  /** watched namespaces; empty: all */
  readonly namespaces: readonly string[];
  readonly log: (message: string, meta?: Record<string, unknown>) => void;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Listed {
  items: { metadata: { name: string; namespace: string; finalizers?: string[]; resourceVersion?: string } }[];
}

const isNotFound = (err: unknown) => (err as { code?: number }).code === 404;

/** Stops the operator, then removes the finalizer from every Connector; resolves with how many it released. */
export async function releaseFinalizers(api: RestClient, o: ReleaseOptions): Promise<number> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  try {
    await api.request({
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/${o.namespace}/deployments/${o.deployment}/scale`,
      body: { spec: { replicas: 0 } },
      contentType: 'application/merge-patch+json',
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  for (;;) {
    const pods = await api.request<Listed>({
      method: 'GET',
      path: `/api/v1/namespaces/${o.namespace}/pods`,
      query: { labelSelector: o.podSelector },
    });
    if (pods.items.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(`the operator's pods are still there: ${pods.items.map((p) => p.metadata.name).join(', ')}`);
    await sleep(500);
  }
  o.log('operator stopped', { deployment: `${o.namespace}/${o.deployment}` });

  const paths =
    o.namespaces.length === 0 ? [collectionPath(CONNECTORS)] : o.namespaces.map((ns) => collectionPath(CONNECTORS, ns));
  let released = 0;
  for (const path of paths) {
    let listed: Listed;
    try {
      listed = await api.request<Listed>({ method: 'GET', path });
    } catch (err) {
      if (isNotFound(err)) continue; // a watched namespace that is gone already
      throw err;
    }
    for (const c of listed.items) {
      const finalizers = c.metadata.finalizers ?? [];
      if (!finalizers.includes(FINALIZER)) continue;
      try {
        // A JSON patch that tests the list first: a finalizer someone else added meanwhile is kept.
        await api.request({
          method: 'PATCH',
          path: objectPath(CONNECTORS, c.metadata.namespace, c.metadata.name),
          body: [
            { op: 'test', path: '/metadata/finalizers', value: finalizers },
            { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== FINALIZER) },
          ],
          contentType: 'application/json-patch+json',
        });
        released++;
        o.log('finalizer released', { connector: `${c.metadata.namespace}/${c.metadata.name}` });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
  return released;
}
