// What the operator's caches and the apiserver say about a cluster's
// children, for the steps that apply and remove them: a child's version,
// whether an object of a child's name is someone else's (ownership.ts),
// whether a workload is already being deleted.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KafkaConnect } from '../../api/v1alpha1/index.js';
import type { Informer } from '../../kube/index.js';
import type { ReconcileDeps } from '../deps.js';
import { ownedBy } from '../ownership.js';

const workloadInformer = (deps: ReconcileDeps, kind: string | undefined): Informer | undefined =>
  kind === 'Deployment' ? deps.deployments : kind === 'StatefulSet' ? deps.statefulSets : undefined;

/** The cache of a kind the operator watches (its workloads and ConfigMaps). */
const watchedInformer = (deps: ReconcileDeps, kind: string | undefined): Informer | undefined =>
  kind === 'ConfigMap' ? deps.configMaps : workloadInformer(deps, kind);

/** Generation for workloads (whose status updates are no drift); resourceVersion otherwise. */
export function versionOf(obj: KubernetesObject): string {
  const meta = obj.metadata ?? {};
  return meta.generation !== undefined ? `g${meta.generation}` : `r${meta.resourceVersion ?? ''}`;
}

/**
 * The version of a watched child in the cache, '' when the cache has no such
 * object, undefined for kinds the operator does not watch.
 */
export function cachedVersion(
  deps: ReconcileDeps,
  kind: string | undefined,
  namespace: string | undefined,
  name: string,
): string | undefined {
  const informer = watchedInformer(deps, kind);
  if (!informer) return undefined;
  const obj = informer.get(namespace, name);
  return obj ? versionOf(obj) : '';
}

/**
 * An object of this name that is not the cluster's own, or undefined when
 * there is none or it is ours. The cache answers for workloads when it holds
 * our object; otherwise the apiserver does.
 */
export async function foreignObject(
  deps: ReconcileDeps,
  kc: KafkaConnect,
  ref: { apiVersion: string; kind: string; name: string },
): Promise<KubernetesObject | undefined> {
  const namespace = kc.metadata.namespace;
  const manager = deps.applier.fieldManager;
  const cached = workloadInformer(deps, ref.kind)?.get(namespace, ref.name);
  if (cached && ownedBy(cached, kc, manager)) return undefined;
  const existing = await deps.applier.get({ ...ref, namespace });
  return existing && !ownedBy(existing, kc, manager) ? existing : undefined;
}

/** A workload already being deleted (foreground: until its pods are gone). */
export const beingDeleted = (deps: ReconcileDeps, kind: string, namespace: string | undefined, name: string) =>
  workloadInformer(deps, kind)?.get(namespace, name)?.metadata?.deletionTimestamp !== undefined;
