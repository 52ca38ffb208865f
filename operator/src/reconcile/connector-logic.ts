// Pure decisions of the Connector reconciler: the config to send, which
// state change to request, when to auto-restart, and the status to report.
import type { Connector, ConnectorStatus as CrStatus } from '../api/v1alpha1/index.js';
import type { ConnectorConfig, ConnectorStatus, InitialState } from '../connect/connect-client.js';

export type StateAction = 'pause' | 'resume' | 'stop' | undefined;

/** The full Connect config: the CR's config plus the keys the resource itself defines. */
export function connectorConfig(cr: Connector): ConnectorConfig {
  return {
    ...(cr.spec.config ?? {}),
    name: cr.metadata.name,
    'connector.class': cr.spec.class,
    'tasks.max': String(cr.spec.tasksMax ?? 1),
  };
}

/** Map equality of two string maps (what Connect returns vs what we want). */
export function sameConfig(live: ConnectorConfig, wanted: ConnectorConfig): boolean {
  const a = Object.keys(live);
  return a.length === Object.keys(wanted).length && a.every((k) => live[k] === wanted[k]);
}

export function initialState(cr: Connector): InitialState {
  const s = cr.spec.state ?? 'running';
  return s === 'paused' ? 'PAUSED' : s === 'stopped' ? 'STOPPED' : 'RUNNING';
}

/**
 * What to ask Connect for, given its reported state. FAILED can be stopped
 * but not paused; UNASSIGNED and RESTARTING are transient and left alone.
 */
export function stateAction(cr: Connector, reported: string): StateAction {
  const want = cr.spec.state ?? 'running';
  switch (reported) {
    case 'RUNNING':
      return want === 'paused' ? 'pause' : want === 'stopped' ? 'stop' : undefined;
    case 'PAUSED':
      return want === 'running' ? 'resume' : want === 'stopped' ? 'stop' : undefined;
    case 'STOPPED':
      return want === 'running' ? 'resume' : want === 'paused' ? 'pause' : undefined;
    case 'FAILED':
      return want === 'stopped' ? 'stop' : undefined;
    default:
      return undefined;
  }
}

export const isFailed = (s: ConnectorStatus) =>
  s.connector.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED');

/** Restart n (0-based) waits min(n² + n, 60) units after the previous one: 0, 2, 6, 12, 20 ... 60. */
export function restartDelayMs(count: number, unitMs: number): number {
  return Math.min(count * count + count, 60) * unitMs;
}

export interface AutoRestartDecision {
  readonly restart: boolean;
  readonly count: number;
  readonly lastRestartTime?: string;
  /** when to look again */
  readonly requeueAfterMs?: number;
}

/**
 * Decides an automatic restart. The counter resets once the connector has
 * looked healthy for longer than the backoff after the next restart: a task
 * that runs a few seconds before failing again must not look recovered
 * (status is only sampled, so a short healthy window is easily misread).
 */
export function autoRestart(cr: Connector, status: ConnectorStatus, now: Date, unitMs: number): AutoRestartDecision {
  const prev = cr.status?.autoRestart ?? {};
  const count = prev.count ?? 0;
  const last = prev.lastRestartTime ? Date.parse(prev.lastRestartTime) : undefined;
  const enabled = cr.spec.autoRestart?.enabled ?? true;
  if (!isFailed(status)) {
    if (count > 0 && last !== undefined && now.getTime() - last > restartDelayMs(count + 1, unitMs))
      return { restart: false, count: 0 };
    return { restart: false, count, lastRestartTime: prev.lastRestartTime };
  }
  if (!enabled) return { restart: false, count, lastRestartTime: prev.lastRestartTime };
  const max = cr.spec.autoRestart?.maxRestarts;
  if (max !== undefined && count >= max) return { restart: false, count, lastRestartTime: prev.lastRestartTime };
  const due = last === undefined ? 0 : last + restartDelayMs(count, unitMs) - now.getTime();
  if (due > 0) return { restart: false, count, lastRestartTime: prev.lastRestartTime, requeueAfterMs: due };
  return { restart: true, count: count + 1, lastRestartTime: now.toISOString() };
}

const MAX_TRACE = 1000;
export const shortTrace = (trace: string | undefined) =>
  trace && trace.length > MAX_TRACE ? `${trace.slice(0, MAX_TRACE)}...` : trace;

/** The mirrored part of the status (everything but conditions). */
export function mirroredStatus(
  cr: Connector,
  status: ConnectorStatus,
  topics: string[] | undefined,
): Partial<CrStatus> {
  const running = status.tasks.filter((t) => t.state === 'RUNNING').length;
  const trace = shortTrace(status.connector.trace);
  return {
    state: status.connector.state,
    workerId: status.connector.worker_id,
    ...(trace ? { trace } : {}),
    type: status.type,
    tasks: status.tasks.map((t) => {
      const tt = shortTrace(t.trace);
      return { id: t.id, state: t.state, workerId: t.worker_id, ...(tt ? { trace: tt } : {}) };
    }),
    tasksMax: cr.spec.tasksMax ?? 1,
    taskCount: status.tasks.length,
    tasksReady: `${running}/${status.tasks.length}`,
    ...(topics ? { topics } : {}),
  };
}

/** Ready, with a reason a user can act on. */
export function readiness(cr: Connector, status: ConnectorStatus): { ready: boolean; reason: string; message: string } {
  if (status.connector.state === 'FAILED')
    return {
      ready: false,
      reason: 'ConnectorFailed',
      message: firstLine(status.connector.trace) ?? 'The connector failed',
    };
  const failed = status.tasks.find((t) => t.state === 'FAILED');
  if (failed)
    return {
      ready: false,
      reason: 'TaskFailed',
      message: `Task ${failed.id} failed: ${firstLine(failed.trace) ?? ''}`.trim(),
    };
  const want = cr.spec.state ?? 'running';
  const expected = want === 'running' ? 'RUNNING' : want === 'paused' ? 'PAUSED' : 'STOPPED';
  if (status.connector.state !== expected)
    return { ready: false, reason: 'Reconciling', message: `Connector is ${status.connector.state}, want ${expected}` };
  if (want === 'running' && status.tasks.some((t) => t.state !== 'RUNNING')) {
    return {
      ready: false,
      reason: 'TasksNotRunning',
      message: `${status.tasks.filter((t) => t.state === 'RUNNING').length}/${status.tasks.length} tasks running`,
    };
  }
  return {
    ready: true,
    reason: want === 'running' ? 'Running' : want === 'paused' ? 'Paused' : 'Stopped',
    message: `Connector is ${expected}`,
  };
}

const firstLine = (s: string | undefined) => s?.split('\n')[0];
