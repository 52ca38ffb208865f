// Assembles a standalone worker from worker.properties: stores on disk,
// worker, herder, REST server, metrics; and stops it gracefully.
import path from 'node:path';
import type { AbstractHerder } from '../herder/abstract-herder.js';
import { StandaloneHerder } from '../herder/standalone-herder.js';
import { createKafka, clientProps } from '../kafka/client.js';
import type { RestServer } from '../rest/index.js';
import { FileConfigStore } from '../storage/file-config-store.js';
import { FileOffsetStore } from '../storage/file-offset-store.js';
import { MemoryStatusStore } from '../storage/status-store.js';
import { LogRegistry, type LogLevel } from '../util/logging.js';
import { Worker } from '../worker/worker.js';
import { readConnectorFile } from './connector-files.js';
import { commonWorkerOptions, stopOnce, topicTracking, workerRest, workerSetup } from './worker-setup.js';

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
  const log = logs.logger('sluice.runtime.Standalone');
  const setup = await workerSetup('standalone', workerProps, log);
  const v = setup.v;
  const offsetFile = String(v['offset.storage.file.filename']);
  const configFile =
    (v['config.storage.file.filename'] as string | null) ?? path.join(path.dirname(offsetFile), 'connectors.json');
  const offsets = new FileOffsetStore(offsetFile);
  await offsets.start();
  const statuses = new MemoryStatusStore();
  const common = commonWorkerOptions(setup, logs);
  const worker = new Worker({ ...common.options, offsets, status: statuses });
  const admin = createKafka({
    clientId: 'sluice-admin',
    props: clientProps(setup.config.raw, 'admin'),
    logger: logs.logger('sluice.kafka.Admin'),
  }).admin();
  const herder = new StandaloneHerder(
    { worker, plugins: setup.plugins, offsets, statuses, logs, admin, topicTracking: topicTracking(setup) },
    new FileConfigStore(configFile),
  );
  common.topics.record = (connector, topic) => herder.recordActiveTopic(connector, topic);
  const rest = workerRest(setup, herder, worker, statuses, logs);
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

  return {
    herder,
    rest,
    worker,
    stop: stopOnce(log, [
      () => herder.stop(),
      () => rest.stop(),
      () => admin.disconnect().catch(() => undefined),
      () => offsets.stop(),
    ]),
  };
}
