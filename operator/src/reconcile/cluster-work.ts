// Connector reconciles in flight, per cluster. A standalone runtime switch
// stops the old worker's source connectors to capture their offsets
// (runtime-switch.ts). A Connector reconcile that began before the switch read
// the cluster as it was, so it could resume a connector the capture has just
// stopped, on the old worker, and its offsets would run past the captured ones.
// The switch therefore waits for the reconciles of the cluster's connectors
// that are running when it starts; those that start later see the switch
// (runtimeSwitchPending) and leave the workers alone until it is done.

export class ClusterWork {
  private readonly running = new Map<string, Set<Promise<unknown>>>();

  /** Runs `work` for the cluster `cluster` (namespace/name), counted as in flight until it settles. */
  async track<T>(cluster: string | undefined, work: () => Promise<T>): Promise<T> {
    if (cluster === undefined) return work();
    const p = work();
    let set = this.running.get(cluster);
    if (!set) this.running.set(cluster, (set = new Set()));
    set.add(p);
    try {
      return await p;
    } finally {
      set.delete(p);
      if (set.size === 0 && this.running.get(cluster) === set) this.running.delete(cluster);
    }
  }

  /** How many reconciles of the cluster run now. */
  inFlight(cluster: string): number {
    return this.running.get(cluster)?.size ?? 0;
  }

  /**
   * Resolves once every reconcile of the cluster running now has settled
   * (true), or after `timeoutMs` (false: one hangs on an unresponsive worker).
   */
  async settled(cluster: string, timeoutMs: number): Promise<boolean> {
    const now = [...(this.running.get(cluster) ?? [])];
    if (now.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    try {
      return await Promise.race([Promise.allSettled(now).then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
