// Whether a child is known to be in place as last applied (or known gone):
// same hash, applied less than REAPPLY_MS ago, and for watched kinds the
// cache still holds the version the apply returned.
import { cachedVersion } from './children.js';
import type { ClusterPass } from './pass.js';

/**
 * An unchanged desired object is applied again at least this often even when
 * nothing says it drifted (kinds the operator does not watch: Services,
 * ServiceAccount, NetworkPolicy, PDB, PVC), so such drift heals within this.
 */
export const REAPPLY_MS = 5 * 60_000;

export function fresh(
  { deps, kc, memory, now }: ClusterPass,
  childKey: string,
  hash: string,
  kind: string | undefined,
  childName: string,
): boolean {
  const last = memory.applied.get(childKey);
  if (!last || last.hash !== hash || now - last.at >= REAPPLY_MS) return false;
  const version = cachedVersion(deps, kind, kc.metadata.namespace, childName);
  return version === undefined || version === last.version;
}
