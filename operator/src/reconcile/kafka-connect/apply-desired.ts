// Apply every desired object not known to be in place already: server-side
// apply stays the source of truth; the memory of what was applied (hash
// with the owner's uid, time, version in the cache) only saves requests that
// would change nothing. An object of a child's name that is not ours is left
// alone; a rejected apply is reported, not retried in a loop.
import { createHash } from 'node:crypto';
import { messageOf } from '../../errors.js';
import { errorCode } from '../../kube/index.js';
import { describeForeign } from '../ownership.js';
import { need, proceed, type Step } from '../steps.js';
import { cachedVersion, foreignObject, versionOf } from './children.js';
import type { ClusterPass } from './pass.js';
import { fresh } from './reapply.js';

export const applyDesired: Step<ClusterPass> = {
  name: 'apply-desired',
  async run(pass) {
    const { deps, kc, memory, now } = pass;
    const namespace = kc.metadata.namespace;
    const records = memory.applied;
    for (const obj of need(pass.desired, 'desired').objects) {
      const childName = obj.metadata?.name ?? '';
      const childKey = `${obj.kind}/${childName}`;
      // Hashes include the uid: a KafkaConnect recreated under the same name starts afresh.
      const hash = `${kc.metadata.uid ?? ''}:${createHash('sha256').update(JSON.stringify(obj)).digest('base64url')}`;
      if (fresh(pass, childKey, hash, obj.kind, childName)) continue;
      try {
        const foreign = await foreignObject(deps, kc, {
          apiVersion: obj.apiVersion ?? '',
          kind: obj.kind ?? '',
          name: childName,
        });
        if (foreign) {
          records.delete(childKey);
          pass.conflicts.push(describeForeign(foreign));
          continue;
        }
        const result = await deps.applier.apply(obj);
        const version =
          cachedVersion(deps, obj.kind, namespace, childName) === undefined ? undefined : versionOf(result);
        records.set(childKey, { hash, at: now, version });
      } catch (err) {
        records.delete(childKey);
        const code = errorCode(err);
        if (code === undefined || code >= 500 || code === 409) throw err; // transient: back off and retry
        pass.failures.push(`${obj.kind} ${obj.metadata?.name}: ${messageOf(err)}`);
        // Also in the log: a refused apply (e.g. a missing RBAC rule) must show in `kubectl logs`.
        deps.logger.warn('Apply refused', {
          cluster: pass.key,
          kind: obj.kind,
          name: obj.metadata?.name,
          code,
          error: messageOf(err),
        });
      }
    }
    return proceed;
  },
};
