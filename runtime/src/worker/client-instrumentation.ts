// Feeds a task's client metrics from kafkajs's instrumentation events: a
// producer's request bytes (kafka_producer_outgoing_byte_total) and whether
// the client is connected (connection_count). A consumer's incoming bytes are
// counted where records arrive (WorkerSinkTask).
import type { Consumer, Producer } from 'kafkajs';
import type { TaskMetrics } from '../metrics/task-metrics.js';

export function instrumentClient(client: Producer | Consumer, metrics: TaskMetrics): void {
  type On = (event: string, listener: (e: { payload: { size?: number } }) => void) => unknown;
  const on = client.on.bind(client) as unknown as On;
  const events = client.events as unknown as Record<string, string>;
  on(events['CONNECT']!, () => (metrics.clientConnected = true));
  on(events['DISCONNECT']!, () => (metrics.clientConnected = false));
  if (metrics.kind === 'source') on(events['REQUEST']!, (e) => (metrics.clientBytes += e.payload.size ?? 0));
}
