// What a standalone and a distributed worker assemble alike from
// worker.properties: the parsed config (config providers resolved), plugins,
// the REST address, the worker's common options, the REST server with
// metrics, and a stop that runs once.
import os from 'node:os';
import { ConfigProviders } from '../config/config-providers.js';
import { registerInlinePasswords } from '../util/secret-mask.js';
import { AllowedPaths } from '../config/allowed-paths.js';
import { OVERRIDE_POLICY_CONFIG, parseOverridePolicy } from '../config/client-override-policy.js';
import { FILE_ALLOWED_PATHS_CONFIG, TASKS_MAX_LIMIT_CONFIG, type ConnectorLimits } from '../worker/connector-limits.js';
import { parseWorkerConfig, type Mode } from '../config/worker-config.js';
import { ConfigError } from '../sdk/index.js';
import type { AbstractHerder } from '../herder/abstract-herder.js';
import type { RestServer } from '../rest/index.js';
import type { StatusStore } from '../storage/status-store.js';
import type { LogRegistry, Logger } from '../util/logging.js';
import type { Worker, WorkerOptions } from '../worker/worker.js';
import { listenerPlan } from './listeners.js';
import { createRestListeners } from './rest-listeners.js';
import { builtinPlugins } from './plugins.js';
import { workerMetrics, type WorkerMetricsOptions } from './worker-metrics.js';

export async function workerSetup(mode: Mode, workerProps: Record<string, string>, log: Logger) {
  // Worker keys may use config providers too (${dir:...} for mounted Secrets, ${env:...}),
  // as in Kafka Connect; resolved values live only in memory.
  const providers = new ConfigProviders(workerProps, (message, fields) => log.warn(message, fields));
  const config = parseWorkerConfig(mode, providers.resolve(workerProps));
  registerInlinePasswords(config.raw);
  const other = mode === 'standalone' ? 'distributed' : 'standalone';
  for (const key of config.ignored) log.warn(`Ignoring ${other}-mode key in ${mode} mode`, { key });
  const v = config.values;
  const plugins = builtinPlugins();
  for (const e of await plugins.loadPluginPath(v['plugin.path'] as string[])) log.error('Failed to load plugin', e);
  const listeners = listenerPlan(v);
  // Other workers reach this one on the listener named by rest.advertised.listener (default: the first).
  const wanted = (v['rest.advertised.listener'] as string | null)?.toLowerCase();
  const listener = listeners.main.find((l) => wanted === undefined || l.protocol === wanted);
  if (!listener) throw new ConfigError('rest.advertised.listener', `no ${wanted} listener in listeners`);
  const advertisedHost = (v['rest.advertised.host.name'] as string | null) ?? os.hostname();
  const advertisedPort = (v['rest.advertised.port'] as number | null) ?? listener.port;
  const advertisedScheme = listener.protocol;
  return { config, v, plugins, providers, listeners, listener, advertisedHost, advertisedPort, advertisedScheme };
}

export type WorkerSetup = Awaited<ReturnType<typeof workerSetup>>;

/**
 * The Worker options both modes share. Tasks report the topics they use to
 * the herder, which is built after the worker: `topics.record` is set then.
 */
export function commonWorkerOptions(setup: WorkerSetup, logs: LogRegistry) {
  const topics = { record: (_connector: string, _topic: string): void => undefined };
  const options: Omit<WorkerOptions, 'offsets' | 'status'> = {
    workerId: `${setup.advertisedHost}:${setup.advertisedPort}`,
    workerProps: setup.config.raw,
    plugins: setup.plugins,
    logs,
    providers: setup.providers,
    offsetFlushIntervalMs: Number(setup.v['offset.flush.interval.ms']),
    gracefulShutdownMs: Number(setup.v['task.shutdown.graceful.timeout.ms']),
    onTopicUsed: (connector, topic) => topics.record(connector, topic),
    limits: connectorLimits(setup),
  };
  return { options, topics };
}

/** The worker's limits on connector configs (worker/connector-limits.ts). */
export function connectorLimits(setup: WorkerSetup): ConnectorLimits {
  return {
    tasksMaxLimit: Number(setup.v[TASKS_MAX_LIMIT_CONFIG]),
    fileAllowedPaths: AllowedPaths.parse(
      FILE_ALLOWED_PATHS_CONFIG,
      setup.v[FILE_ALLOWED_PATHS_CONFIG] as string[],
      false,
    ),
    overridePolicy: parseOverridePolicy(setup.v[OVERRIDE_POLICY_CONFIG] as string),
  };
}

export function topicTracking(setup: WorkerSetup) {
  return {
    enabled: setup.v['topic.tracking.enable'] === true,
    allowReset: setup.v['topic.tracking.allow.reset'] === true,
  };
}

/** The REST API on the configured listeners, with GET /metrics when metrics.enable is set. */
export function workerRest(
  setup: WorkerSetup,
  herder: AbstractHerder,
  worker: Worker,
  statuses: StatusStore,
  logs: LogRegistry,
  metricsOptions: WorkerMetricsOptions = {},
): RestServer {
  const metrics = setup.v['metrics.enable'] === true ? workerMetrics(worker, statuses, metricsOptions) : undefined;
  return createRestListeners({
    plan: setup.listeners,
    raw: setup.config.raw,
    herder,
    logger: logs.logger('sluice.rest.RestServer'),
    ...(metrics ? { metrics } : {}),
  });
}

/** A stop that runs its steps in order once, however often it is called. */
export function stopOnce(log: Logger, steps: ReadonlyArray<() => Promise<unknown>>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      log.info('Kafka Connect stopping');
      for (const step of steps) await step();
      log.info('Kafka Connect stopped');
    })());
}
