// The operator's client for a Connect cluster's REST API (Kafka Connect's
// paths and shapes). One private request helper with a per-request timeout
// (a worker that hangs costs one timeout, never a stuck reconcile); errors
// are ConnectApiError (errors.ts): status code, path, a stable code and
// whether retrying can help (409 during a rebalance, 5xx, network errors).
import { ConnectApiError } from '../errors.js';

export { ConnectApiError } from '../errors.js';
export { withConnectRetry } from './retry.js';

/** Default per-request timeout: generous for a create, short enough that a hanging worker is noticed. */
export const CONNECT_TIMEOUT_MS = 10_000;

export type ConnectorConfig = Record<string, string>;
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

export interface TaskStatus {
  id: number;
  state: string;
  worker_id: string;
  trace?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: TaskStatus[];
  type: string;
}

export interface ConnectorOffsets {
  offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> | null }>;
}

export interface PluginInfo {
  class: string;
  type: string;
  version: string;
}

/** A Sluice worker's drain state (GET/POST /admin/drain, distributed mode). */
export interface DrainStatus {
  draining: boolean;
  drained: boolean;
  connectors: number;
  tasks: number;
}

export interface ConnectApi {
  readonly baseUrl: string;
  connectors(): Promise<string[]>;
  /** null when the connector does not exist */
  connectorConfig(name: string): Promise<ConnectorConfig | null>;
  createConnector(name: string, config: ConnectorConfig, initialState: InitialState): Promise<void>;
  putConnectorConfig(name: string, config: ConnectorConfig): Promise<void>;
  /** null when the connector does not exist */
  connectorStatus(name: string): Promise<ConnectorStatus | null>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  deleteConnector(name: string): Promise<void>;
  restartConnector(name: string, options: { includeTasks: boolean; onlyFailed: boolean }): Promise<void>;
  restartTask(name: string, task: number): Promise<void>;
  offsets(name: string): Promise<ConnectorOffsets>;
  alterOffsets(name: string, offsets: ConnectorOffsets): Promise<string>;
  resetOffsets(name: string): Promise<string>;
  topics(name: string): Promise<string[]>;
  plugins(): Promise<PluginInfo[]>;
  setLoggerLevel(logger: string, level: string): Promise<void>;
  health(): Promise<boolean>;
  /** Asks one worker to hand its work to the others (Sluice extension). */
  drain(): Promise<DrainStatus>;
}

/** Default timeout of the health probe: a worker that is up answers it at once. */
export const HEALTH_TIMEOUT_MS = 3_000;

export interface ConnectClientOptions {
  timeoutMs?: number;
  healthTimeoutMs?: number;
  /** how requests are sent; default the global fetch (https with a client certificate: tls/tls-fetch.ts) */
  fetch?: typeof fetch;
}

export function createConnectClient(baseUrl: string, options: ConnectClientOptions = {}): ConnectApi {
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const healthTimeoutMs = options.healthTimeoutMs ?? Math.min(timeoutMs, HEALTH_TIMEOUT_MS);
  const send = options.fetch ?? fetch;
  const enc = encodeURIComponent;

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    { allow404 = false, timeout = timeoutMs } = {},
  ): Promise<T | null> {
    let res: Response;
    try {
      res = await send(`${baseUrl}${path}`, {
        method,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (err) {
      throw networkError(method, path, err, timeout);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // The headers came, the body did not (in time): as good as no answer.
      throw networkError(method, path, err, timeout);
    }
    if (res.status === 404 && allow404) return null;
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new ConnectApiError(res.status, method, path, message);
    }
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      throw new ConnectApiError(res.status, method, path, `answer is not JSON: ${text.slice(0, 200)}`, { cause: err });
    }
  }

  return {
    baseUrl,
    connectors: async () => (await request<string[]>('GET', '/connectors')) ?? [],
    connectorConfig: (name) =>
      request<ConnectorConfig>('GET', `/connectors/${enc(name)}/config`, undefined, { allow404: true }),
    createConnector: async (name, config, initialState) => {
      await request('POST', '/connectors', { name, config, initial_state: initialState });
    },
    putConnectorConfig: async (name, config) => {
      await request('PUT', `/connectors/${enc(name)}/config`, config);
    },
    connectorStatus: (name) =>
      request<ConnectorStatus>('GET', `/connectors/${enc(name)}/status`, undefined, { allow404: true }),
    pause: async (name) => void (await request('PUT', `/connectors/${enc(name)}/pause`)),
    resume: async (name) => void (await request('PUT', `/connectors/${enc(name)}/resume`)),
    stop: async (name) => void (await request('PUT', `/connectors/${enc(name)}/stop`)),
    deleteConnector: async (name) =>
      void (await request('DELETE', `/connectors/${enc(name)}`, undefined, { allow404: true })),
    restartConnector: async (name, { includeTasks, onlyFailed }) =>
      void (await request(
        'POST',
        `/connectors/${enc(name)}/restart?includeTasks=${includeTasks}&onlyFailed=${onlyFailed}`,
      )),
    restartTask: async (name, task) => void (await request('POST', `/connectors/${enc(name)}/tasks/${task}/restart`)),
    offsets: async (name) =>
      (await request<ConnectorOffsets>('GET', `/connectors/${enc(name)}/offsets`)) ?? { offsets: [] },
    alterOffsets: async (name, offsets) =>
      (await request<{ message: string }>('PATCH', `/connectors/${enc(name)}/offsets`, offsets))?.message ?? '',
    resetOffsets: async (name) =>
      (await request<{ message: string }>('DELETE', `/connectors/${enc(name)}/offsets`))?.message ?? '',
    topics: async (name) => {
      const res = await request<Record<string, { topics: string[] }>>(
        'GET',
        `/connectors/${enc(name)}/topics`,
        undefined,
        { allow404: true },
      );
      return res?.[name]?.topics ?? [];
    },
    plugins: async () => (await request<PluginInfo[]>('GET', '/connector-plugins')) ?? [],
    setLoggerLevel: async (logger, level) =>
      void (await request('PUT', `/admin/loggers/${enc(logger)}?scope=cluster`, { level })),
    drain: async () => (await request<DrainStatus>('POST', '/admin/drain'))!,
    health: async () => {
      try {
        await request('GET', '/health', undefined, { timeout: healthTimeoutMs });
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** A request that got no answer: timed out (the worker hangs) or failed to connect. */
function networkError(method: string, path: string, err: unknown, timeoutMs: number): ConnectApiError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
  const reason = timedOut
    ? `no answer within ${timeoutMs} ms`
    : [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
  return new ConnectApiError(0, method, path, reason, { timedOut, cause: err });
}
