// Resources of the worker container. Without requests a worker is the first
// pod evicted and schedules anywhere; without a memory limit one runaway
// task can take the node's memory. So a KafkaConnect without spec.resources
// gets defaults; a spec.resources is taken as written (the user's choice
// wins as a whole, never mixed with defaults into limits below requests).
// Node does not size its heap from the cgroup limit the way a JVM can: the
// heap is set from the memory limit (NODE_OPTIONS=--max-old-space-size), so
// V8 collects garbage before the kernel kills the container.
import type { V1EnvVar, V1ResourceRequirements } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';

// Requests are what an idle worker uses (about 150 MB RSS), so a small node
// schedules many workers; the limits bound what a busy one may take.
export const DEFAULT_WORKER_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '25m', memory: '256Mi' },
  limits: { cpu: '2', memory: '1Gi' },
};

/** Share of the memory limit given to V8's old generation; the rest is for buffers, code and young space. */
export const HEAP_FRACTION = 0.75;

export function workerResources(kc: KafkaConnect): V1ResourceRequirements {
  return (kc.spec.resources as V1ResourceRequirements | undefined) ?? DEFAULT_WORKER_RESOURCES;
}

/**
 * NODE_OPTIONS sizing the heap from the memory limit, or nothing when there
 * is no (readable) limit or the user sets NODE_OPTIONS in spec.template.env.
 */
export function heapEnv(resources: V1ResourceRequirements, userEnv: readonly V1EnvVar[]): V1EnvVar[] {
  if (userEnv.some((e) => e.name === 'NODE_OPTIONS')) return [];
  const limit = resources.limits?.['memory'];
  const bytes = limit === undefined ? undefined : quantityBytes(String(limit));
  if (bytes === undefined) return [];
  const mib = Math.max(64, Math.floor((bytes * HEAP_FRACTION) / 2 ** 20));
  return [{ name: 'NODE_OPTIONS', value: `--max-old-space-size=${mib}` }];
}

const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Bytes of a Kubernetes memory quantity ("1Gi", "512M", "1e9", "1073741824"); undefined if unreadable. */
export function quantityBytes(q: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:(Ki|Mi|Gi|Ti|k|M|G|T)|[eE](\d+))?$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const bytes = m[3] !== undefined ? n * 10 ** Number(m[3]) : n * SUFFIX[m[2] ?? '']!;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}
