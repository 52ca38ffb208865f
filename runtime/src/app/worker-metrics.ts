// The worker's Prometheus registry (metrics.enable=true), the same in both modes.
import { createMetricsRegistry } from '../metrics/prometheus.js';
import type { MetricsSource } from '../rest/types.js';
import type { StatusStore } from '../storage/status-store.js';
import type { Worker } from '../worker/worker.js';

export function workerMetrics(worker: Worker, statuses: StatusStore): MetricsSource {
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
  });
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}
