// The operator's Prometheus metrics, on a registry of their own (not the
// prom-client global), so several operators in one test process do not clash.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetricsOptions {
  registry?: Registry;
  /** Process metrics (CPU, memory, event loop lag, ...); default true. */
  defaultMetrics?: boolean;
}

export class OperatorMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'kind' | 'result'>;
  readonly reconcileErrors: Counter<'kind'>;
  readonly reconcileDuration: Histogram<'kind'>;
  readonly workqueueDepth: Gauge<'kind'>;
  readonly workqueueRetries: Counter<'kind'>;
  readonly leader: Gauge;

  constructor(options: OperatorMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.reconcileTotal = new Counter({
      name: 'sluice_reconcile_total',
      help: 'Reconciles by kind and result (success, error, requeue).',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'sluice_reconcile_errors_total',
      help: 'Reconciles that failed, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'sluice_reconcile_duration_seconds',
      help: 'Time spent in one reconcile, by kind.',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.workqueueDepth = new Gauge({
      name: 'sluice_workqueue_depth',
      help: 'Keys waiting in the work queue, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.workqueueRetries = new Counter({
      name: 'sluice_workqueue_retries_total',
      help: 'Rate-limited requeues (retries after errors), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.leader = new Gauge({
      name: 'sluice_leader',
      help: '1 while this replica holds the leader lease, else 0.',
      registers,
    });
    this.leader.set(0);
  }
}
