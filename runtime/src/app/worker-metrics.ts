// The worker's Prometheus registry (metrics.enable=true), the same in both
// modes; distributed mode adds the rebalance and coordinator metrics.
import { createMetricsRegistry, type RebalanceMetrics } from '../metrics/prometheus.js';
import type { MetricsSource } from '../rest/types.js';
import type { StatusStore } from '../storage/status-store.js';
import type { Worker } from '../worker/worker.js';

export interface WorkerMetricsOptions {
  /** distributed mode: the herder's rebalance view */
  readonly rebalance?: () => RebalanceMetrics;
  /** the worker's client.id (connect-coordinator-metrics) */
  readonly clientId?: string;
}

export function workerMetrics(worker: Worker, statuses: StatusStore, opts: WorkerMetricsOptions = {}): MetricsSource {
  const registry = createMetricsRegistry({
    connectorCount: () => worker.connectorNames().length,
    taskCount: () => worker.taskIds().length,
    tasks: () => worker.taskMetrics(),
    connectorTaskStates: () =>
      worker.connectorNames().map((connector) => {
        const states: Record<string, number> = {};
        for (const s of statuses.getTasks(connector).values()) states[s.state] = (states[s.state] ?? 0) + 1;
        return { connector, states };
      }),
    connectors: () =>
      worker.connectorNames().flatMap((name) => {
        const info = worker.connectorInfo(name);
        if (!info) return [];
        return [{ name, ...info, state: statuses.getConnector(name)?.state ?? 'UNASSIGNED' }];
      }),
    taskState: (connector, task) => statuses.getTasks(connector).get(task)?.state ?? 'UNASSIGNED',
    startups: () => worker.startups,
    ...(opts.rebalance ? { rebalance: opts.rebalance } : {}),
    ...(opts.clientId ? { coordinatorClientId: opts.clientId } : {}),
  });
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}
