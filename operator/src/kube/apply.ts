// Writes to the apiserver the way the operator wants them made:
//  - server-side apply with one field manager and force, so the operator owns
//    exactly the fields it sets, other managers' fields (HPA replicas, kubectl
//    annotations) survive, and reapplying an unchanged object is a no-op;
//  - deletes that treat "already gone" as success;
//  - status as a merge patch on the /status subresource, so spec writers and
//    the status writer never conflict.
import * as k8s from '@kubernetes/client-node';
import { Discovery } from './discovery.js';
import { RestClient } from './rest.js';
import { objectPath, type ResourceRef } from './resource-path.js';

export const FIELD_MANAGER = 'sluice-operator';

export interface ApplierOptions {
  kubeConfig: k8s.KubeConfig;
  fieldManager?: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

export class Applier {
  readonly fieldManager: string;
  private readonly rest: RestClient;
  private readonly discovery: Discovery;

  constructor(options: ApplierOptions) {
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.rest = new RestClient(options.kubeConfig);
    this.discovery = new Discovery(this.rest);
  }

  /**
   * Server-side applies `obj` (apiVersion, kind, metadata.name required;
   * metadata.namespace for namespaced kinds) and returns the stored object.
   * Send only the fields the operator means to own: anything included is
   * claimed, anything left out that we owned before is removed.
   */
  async apply<T extends k8s.KubernetesObject>(obj: T): Promise<T> {
    const path = await this.pathOf(refOf(obj));
    // JSON is YAML, so the apply-patch+yaml content type takes a JSON body.
    return this.rest.request<T>({
      method: 'PATCH',
      path,
      query: { fieldManager: this.fieldManager, force: true },
      body: { ...obj, metadata: withoutServerFields(obj.metadata) },
      contentType: k8s.PatchStrategy.ServerSideApply,
    });
  }

  /** Reads the object as stored; undefined if it does not exist. */
  async get<T extends k8s.KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.rest.request<T>({ method: 'GET', path: await this.pathOf(ref) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes the object; resolves false if it did not exist. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.rest.request({
        method: 'DELETE',
        path: await this.pathOf(ref),
        body: options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : undefined,
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Merge-patches `status` onto a namespaced custom resource's /status
   * (merge patch: an object body, unlike the JSON patch client-node's
   * generated methods default to), over the shared apiserver connection.
   */
  async patchStatus(
    resource: ResourceRef,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
  ): Promise<k8s.KubernetesObject> {
    return this.rest.request<k8s.KubernetesObject>({
      method: 'PATCH',
      path: `${objectPath(resource, namespace, name)}/status`,
      query: { fieldManager: this.fieldManager },
      body: { status },
      contentType: k8s.PatchStrategy.MergePatch,
    });
  }

  private async pathOf(ref: ObjectRef): Promise<string> {
    const resource = await this.discovery.resolve(ref.apiVersion, ref.kind);
    if (resource.namespaced && !ref.namespace) throw new Error(`${ref.kind} ${ref.name}: namespace required`);
    return objectPath(resource, resource.namespaced ? ref.namespace : undefined, ref.name);
  }
}

function refOf(obj: k8s.KubernetesObject): ObjectRef {
  const { apiVersion, kind } = obj;
  const name = obj.metadata?.name;
  if (!apiVersion || !kind || !name) throw new Error('apply needs apiVersion, kind and metadata.name');
  return { apiVersion, kind, name, namespace: obj.metadata?.namespace };
}

/** Apply rejects managedFields and should not pin resourceVersion (that would make it a compare-and-swap). */
function withoutServerFields(metadata: k8s.V1ObjectMeta | undefined): Record<string, unknown> {
  const {
    managedFields: _m,
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    ...rest
  } = metadata ?? {};
  return rest;
}

/** The HTTP status of an ApiException (or a watch error), else undefined. */
export function errorCode(err: unknown): number | undefined {
  if (err instanceof k8s.ApiException) return err.code;
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return errorCode(err) === 404;
}

/** 409: an optimistic-concurrency conflict or an already-existing object. */
export function isConflict(err: unknown): boolean {
  return errorCode(err) === 409;
}
