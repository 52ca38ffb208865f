// The Sluice custom resources of one test namespace as plain JSON through the real apiserver: the
// create, get, patch and wait calls every operator suite makes.
import type { TestEnv } from './env.js';
import { eventually } from './eventually.js';
import { rest, sluicePath, SLUICE_API_VERSION } from './kube.js';

export type SluiceKind = 'KafkaConnect' | 'Connector';

const pluralOf = (kind: SluiceKind) => (kind === 'KafkaConnect' ? 'kafkaconnects' : 'connectors');

export interface SluiceResources {
  create(
    kind: SluiceKind,
    name: string,
    spec: Record<string, unknown>,
    metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> },
  ): Promise<unknown>;
  /** The object, or undefined once it is gone. */
  get(kind: SluiceKind, name: string): Promise<any>;
  /** A JSON merge patch of the whole object (metadata, spec). */
  patch(kind: SluiceKind, name: string, body: Record<string, unknown>): Promise<unknown>;
  patchSpec(kind: SluiceKind, name: string, spec: Record<string, unknown>): Promise<unknown>;
  /** Asks for the delete (finalizers may keep the object a while). */
  remove(kind: SluiceKind, name: string): Promise<unknown>;
  /** Waits until `check` holds for the object and returns it. */
  waitFor(
    kind: SluiceKind,
    name: string,
    what: string,
    check: (cr: any) => boolean,
    options?: { timeoutMs?: number; intervalMs?: number },
  ): Promise<any>;
}

export function sluiceResources(env: () => TestEnv, namespace: string): SluiceResources {
  const api = () => rest(env());
  const get = (kind: SluiceKind, name: string) =>
    api()
      .request<any>({ method: 'GET', path: sluicePath(pluralOf(kind), namespace, name) })
      .catch((err: { code?: number }) => {
        if (err.code === 404) return undefined;
        throw err;
      });
  const patch = (kind: SluiceKind, name: string, body: Record<string, unknown>) =>
    api().request({
      method: 'PATCH',
      path: sluicePath(pluralOf(kind), namespace, name),
      body,
      contentType: 'application/merge-patch+json',
    });
  return {
    create: (kind, name, spec, metadata = {}) =>
      api().request({
        method: 'POST',
        path: sluicePath(pluralOf(kind), namespace),
        body: { apiVersion: SLUICE_API_VERSION, kind, metadata: { name, ...metadata }, spec },
      }),
    get,
    patch,
    patchSpec: (kind, name, spec) => patch(kind, name, { spec }),
    remove: (kind, name) => api().request({ method: 'DELETE', path: sluicePath(pluralOf(kind), namespace, name) }),
    waitFor: (kind, name, what, check, options) =>
      eventually(
        `${kind} ${name}: ${what}`,
        async () => {
          const cr = await get(kind, name);
          return cr !== undefined && check(cr) ? cr : undefined;
        },
        options,
      ),
  };
}

/** The condition of the given type in a Sluice object's status. */
export const conditionOf = (cr: any, type = 'Ready'): any => cr?.status?.conditions?.find((c: any) => c.type === type);
