// URL paths of Kubernetes resources: "" group is the core API under /api,
// every other group lives under /apis/<group>.

export interface ResourceRef {
  /** API group; "" (or undefined) for the core group. */
  group?: string;
  version: string;
  /** Lower-case plural resource name, e.g. "configmaps". */
  plural: string;
}

/** The built-in resources the operator watches. */
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments' };
export const STATEFUL_SETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'statefulsets' };
export const CONFIG_MAPS: ResourceRef = { version: 'v1', plural: 'configmaps' };

/** Path of a collection (namespace undefined: across all namespaces, or a cluster-scoped resource). */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${ref.plural}`;
}

/** Path of one object, optionally of a subresource ("status"). */
export function objectPath(
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}${sub}`;
}

/** Splits an apiVersion ("apps/v1", "v1") into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
