// What the reconcilers remember about each object between passes, in one
// place and passed in (never hidden in a closure). It is all in memory: after
// a restart, or on a new leader, the first pass of each object starts from
// nothing and finds out again from the world. Each memory only saves work or
// keeps a once-per-event promise; the world stays the source of truth.
import type { Mode } from '../api/v1alpha1/index.js';

/** What was last applied (or found gone) for one child of a cluster. */
export interface Applied {
  /** hash of the desired object sent (with the owner's uid) */
  hash: string;
  at: number;
  /** the child's version as the apply returned it, for watched kinds */
  version: string | undefined;
}

export interface ClusterMemory {
  /** per child ("kind/name", or "-kind/name" for one of the other mode found gone) */
  readonly applied: Map<string, Applied>;
  /** when the current drained scale-down started */
  drainStartedAt: number | undefined;
  /** the mode switch whose offsets were captured ("<uid>/<from mode>") */
  offsetsCapturedFor: string | undefined;
  /** the runtime switch handled ("<uid>/<from>-><to>", runtime-switch.ts) */
  runtimeSwitchHandled: string | undefined;
}

export interface ConnectorMemory {
  /**
   * The cluster mode the connector last ran under, or 'switching' once it saw
   * the other mode's workload still there: a different value next time means
   * a mode switch happened in between.
   */
  lastMode: Mode | 'switching' | undefined;
  /** consecutive passes that found the cluster not ready, for the backoff */
  clusterWaits: number;
}

export const newClusterMemory = (): ClusterMemory => ({
  applied: new Map(),
  drainStartedAt: undefined,
  offsetsCapturedFor: undefined,
  runtimeSwitchHandled: undefined,
});

export const newConnectorMemory = (): ConnectorMemory => ({ lastMode: undefined, clusterWaits: 0 });

/** One memory per object key (namespace/name), made on first use. */
export class Memories<T> {
  private readonly byKey = new Map<string, T>();

  constructor(private readonly fresh: () => T) {}

  of(key: string): T {
    let memory = this.byKey.get(key);
    if (memory === undefined) this.byKey.set(key, (memory = this.fresh()));
    return memory;
  }

  /** The object is gone: nothing of it is kept. */
  forget(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
