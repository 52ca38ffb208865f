// The operator never adopts objects it did not create. Server-side apply
// with force would silently take over any object that happens to carry a
// child's name (and the garbage collector would then delete it with the
// KafkaConnect); so before a child is applied or removed, an existing object
// of that name must be ours: controlled by this very KafkaConnect (same uid),
// or the standalone data claim this cluster kept (no owner, by design, when
// deleteClaim is false: recognised by its cluster label and our field manager).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { CLUSTER_LABEL } from '../model/labels.js';

export const CONFLICT_REASON = 'ResourceConflict';

/** Whether `existing` (as read from the apiserver) belongs to `kc`. */
export function ownedBy(existing: KubernetesObject, kc: KafkaConnect, fieldManager: string): boolean {
  const meta = existing.metadata ?? {};
  const refs = meta.ownerReferences ?? [];
  const controller = refs.find((r) => r.controller === true);
  if (controller) return controller.uid === kc.metadata.uid && controller.kind === kc.kind;
  // Unowned: only a claim kept on purpose, labelled for this cluster and written by us, is ours.
  return (
    existing.kind === 'PersistentVolumeClaim' &&
    refs.length === 0 &&
    meta.labels?.[CLUSTER_LABEL] === kc.metadata.name &&
    (meta.managedFields ?? []).some((f) => f.manager === fieldManager && f.operation === 'Apply')
  );
}

/** Who else has the object, for the condition and the Event. */
export function describeForeign(existing: KubernetesObject): string {
  const kind = existing.kind ?? 'object';
  const name = existing.metadata?.name ?? '';
  const controller = existing.metadata?.ownerReferences?.find((r) => r.controller === true);
  const by = controller ? `controlled by ${controller.kind} ${controller.name}` : 'not created by this KafkaConnect';
  return `${kind} ${name} already exists (${by})`;
}

/** The condition message naming every object left alone. */
export function conflictMessage(conflicts: readonly string[]): string {
  return `${conflicts.join('; ')}: the operator does not take over objects it did not create. Rename or remove them, or rename the KafkaConnect.`;
}
