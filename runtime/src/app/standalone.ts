// Assembles a standalone worker from worker.properties: stores on disk,
// worker, herder, REST server, metrics; and stops it gracefully.
import os from 'node:os';
import path from 'node:path';
import { parseWorkerConfig } from '../config/worker-config.js';
import { ConfigProviders } from '../config/config-providers.js';
import type { AbstractHerder } from '../herder/abstract-herder.js';
import { StandaloneHerder } from '../herder/standalone-herder.js';
import { createKafka, clientProps } from '../kafka/client.js';
import { createRestServer, type RestServer } from '../rest/index.js';
import { FileConfigStore } from '../storage/config-store.js';
import { FileOffsetStore } from '../storage/file-offset-store.js';
import { MemoryStatusStore } from '../storage/status-store.js';
import { LogRegistry, type LogLevel } from '../util/logging.js';
import { Worker } from '../worker/worker.js';
import { readConnectorFile } from './connector-files.js';
import { parseListener } from './listeners.js';
import { builtinPlugins } from './plugins.js';
import { workerMetrics } from './worker-metrics.js';

export interface RunningWorker<H extends AbstractHerder = AbstractHerder> {
  readonly herder: H;
  readonly rest: RestServer;
  readonly worker: Worker;
  stop(): Promise<void>;
}

export async function startStandalone(
  workerProps: Record<string, string>,
  connectorFiles: readonly string[],
  logs: LogRegistry = new LogRegistry((workerProps['log.level'] ?? 'INFO').toUpperCase() as LogLevel),
): Promise<RunningWorker<StandaloneHerder>> {
  const startedAt = Date.now();
  // Worker keys may use config providers too (${dir:...} for mounted Secrets, ${env:...}),
  // as in Kafka Connect; resolved values live only in memory.
  const config = parseWorkerConfig('standalone', new ConfigProviders(workerProps).resolve(workerProps));
  const log = logs.logger('sluice.runtime.Standalone');
  for (const key of config.ignored) log.warn('Ignoring distributed-mode key in standalone mode', { key });
  const v = config.values;
  const plugins = builtinPlugins();
  for (const e of await plugins.loadPluginPath(v['plugin.path'] as string[])) log.error('Failed to load plugin', e);

  const offsetFile = String(v['offset.storage.file.filename']);
  const configFile =
    (v['config.storage.file.filename'] as string | null) ?? path.join(path.dirname(offsetFile), 'connectors.json');
  const offsets = new FileOffsetStore(offsetFile);
  await offsets.start();
  const statuses = new MemoryStatusStore();
  const listener = parseListener((v['listeners'] as string[])[0] ?? 'http://:8083');
  const advertisedHost = (v['rest.advertised.host.name'] as string | null) ?? os.hostname();
  const advertisedPort = (v['rest.advertised.port'] as number | null) ?? listener.port;
  // The herder records topics the worker's tasks use; it is built after the worker.
  const topicTracker = { record: (_connector: string, _topic: string): void => undefined };
  const worker = new Worker({
    workerId: `${advertisedHost}:${advertisedPort}`,
    workerProps: config.raw,
    plugins,
    offsets,
    status: statuses,
    logs,
    providers: new ConfigProviders(workerProps),
    offsetFlushIntervalMs: Number(v['offset.flush.interval.ms']),
    gracefulShutdownMs: Number(v['task.shutdown.graceful.timeout.ms']),
    onTopicUsed: (connector, topic) => topicTracker.record(connector, topic),
  });
  const admin = createKafka({
    clientId: 'sluice-admin',
    props: clientProps(config.raw, 'admin'),
    logger: logs.logger('sluice.kafka.Admin'),
  }).admin();
  const herder = new StandaloneHerder(
    {
      worker,
      plugins,
      offsets,
      statuses,
      logs,
      admin,
      topicTracking: {
        enabled: v['topic.tracking.enable'] === true,
        allowReset: v['topic.tracking.allow.reset'] === true,
      },
    },
    new FileConfigStore(configFile),
  );
  topicTracker.record = (connector, topic) => herder.recordActiveTopic(connector, topic);
  const metrics = v['metrics.enable'] === true ? workerMetrics(worker, statuses) : undefined;
  const rest = createRestServer({
    herder,
    logger: logs.logger('sluice.rest.RestServer'),
    host: listener.host,
    port: listener.port,
    ...(metrics ? { metrics } : {}),
  });
  // REST answers (with /health "starting") while persisted connectors start.
  const { port } = await rest.start();
  await herder.start();
  for (const file of connectorFiles) {
    const c = await readConnectorFile(file);
    await herder.putConnectorConfig(c.name, c.config, { allowReplace: true, initialState: c.initialState });
  }
  log.info('Kafka Connect standalone worker started', {
    port,
    workerId: worker.workerId,
    startupMs: Date.now() - startedAt,
  });

  let stopping: Promise<void> | undefined;
  return {
    herder,
    rest,
    worker,
    stop: () =>
      (stopping ??= (async () => {
        log.info('Kafka Connect stopping');
        await herder.stop();
        await rest.stop();
        await admin.disconnect().catch(() => undefined);
        await offsets.stop();
        log.info('Kafka Connect stopped');
      })()),
  };
}
