// The data plane of one process (Kafka's Worker): it instantiates and runs
// the connectors and tasks the herder assigns to it, and nothing else.
import { ConfigError, traceOf, type AnyConnector } from '../sdk/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { StatusListener } from '../storage/status-store.js';
import type { ConnectorConfig, TargetState } from '../vocabulary/connector.js';
import type { LogRegistry, Logger } from '../util/logging.js';
import { sealTaskConfigs, type ConfigProviders } from '../config/config-providers.js';
import { maskSecrets } from '../util/secret-mask.js';
import { clientProps, createKafka } from '../kafka/client.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import { WorkerConnector } from './worker-connector.js';
import { safeVersion } from './plugin-version.js';
import { buildSinkTask } from './sink-task-builder.js';
import { buildSourceTask } from './source-task-builder.js';
import { buildTaskBase, type BuiltTask, type TaskBuildContext } from './task-base.js';
import type { TaskStatusListener, TaskTargetState } from './task-status.js';
import { taskKey, type TaskId } from '../vocabulary/task-id.js';
import { taskTransactionalId } from './transactional-delivery.js';
import type { WorkerTask } from './worker-task.js';
import { canonicalJson } from '../util/json.js';
import { DEFAULT_LIMITS, limitErrors, type ConnectorLimits } from './connector-limits.js';
import { requireAllowedOverrides } from '../config/client-override-policy.js';

export interface WorkerOptions {
  readonly workerId: string;
  /** worker.properties as given */
  readonly workerProps: Readonly<Record<string, string>>;
  readonly plugins: PluginRegistry;
  readonly offsets: OffsetStore;
  readonly status: StatusListener;
  readonly logs: LogRegistry;
  readonly providers: ConfigProviders;
  readonly offsetFlushIntervalMs: number;
  readonly gracefulShutdownMs: number;
  /** consumer group settings for sink tasks (from worker consumer.* keys) */
  readonly onTopicUsed?: (connector: string, topic: string) => void;
  /**
   * Distributed mode's exactly.once.source.support (KIP-618). Absent in
   * standalone mode, which ignores the connectors' exactly-once keys as
   * Apache's standalone worker does.
   */
  readonly exactlyOnceSource?: ExactlyOnceSourceOptions;
  /** tasks.max ceiling and file paths (worker keys; DEFAULT_LIMITS when absent) */
  readonly limits?: ConnectorLimits;
}

export interface ExactlyOnceSourceOptions {
  /** `preparing` runs source tasks as `disabled` does: it only gets a cluster ready for `enabled` */
  readonly support: 'disabled' | 'preparing' | 'enabled';
  /** the worker's group.id: the prefix of every task's transactional id */
  readonly groupId: string;
  /** the worker's offset.storage.topic: exactly-once tasks write their offsets there, in their transactions */
  readonly offsetsTopic: string;
  /** reads the worker's offset store to the end of the offset topic (KafkaOffsetStore.refresh) */
  readonly readOffsetsToEnd: () => Promise<void>;
}

/** `task.class` for a connector class: the declared one, else its name with Connector -> Task. */
export function taskClassOf(connectorClass: string, declared?: string): string {
  if (declared) return declared;
  return connectorClass.endsWith('Connector')
    ? `${connectorClass.slice(0, -'Connector'.length)}Task`
    : `${connectorClass}Task`;
}

/**
 * A task config as Apache's Worker.connectorTaskConfigs writes it: the
 * connector's own keys plus `task.class`, and a sink connector's `topics` /
 * `topics.regex` copied from its config.
 */
export function withFrameworkTaskKeys(
  taskConfig: ConnectorConfig,
  connectorConfig: ConnectorConfig,
  taskClass: string,
): ConnectorConfig {
  const out: ConnectorConfig = { ...taskConfig, 'task.class': taskClass };
  for (const key of ['topics', 'topics.regex']) {
    const v = connectorConfig[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Apache's message when a connector requires exactly-once delivery from a worker that does not offer it. */
export const EXACTLY_ONCE_NOT_ENABLED = 'This worker does not have exactly-once source support enabled.';

interface RunningTask {
  readonly task: WorkerTask;
  readonly metrics: TaskMetrics;
  readonly done: Promise<void>;
  readonly cleanup: () => Promise<void>;
}

export class Worker {
  private readonly connectors = new Map<string, WorkerConnector>();
  private readonly tasks = new Map<string, RunningTask>();
  /** Per running connector: which placeholder of its config resolved to which value (to seal task configs). */
  private readonly resolvedValues = new Map<string, ReadonlyMap<string, string>>();
  private readonly log: Logger;
  private generation = 0;
  private readonly connectorClasses = new Map<string, string>();
  /** connect-worker-metrics' startup counters */
  readonly startups = {
    connector: { attempts: 0, success: 0, failure: 0 },
    task: { attempts: 0, success: 0, failure: 0 },
  };

  constructor(private readonly opts: WorkerOptions) {
    this.log = opts.logs.logger('sluice.worker.Worker');
  }

  get workerId(): string {
    return this.opts.workerId;
  }

  /** Instantiates the connector class a config names; ConfigError when unknown. */
  newConnector(config: ConnectorConfig): AnyConnector {
    const cls = config['connector.class'];
    if (!cls)
      throw new ConfigError(
        'connector.class',
        'Missing required configuration "connector.class" which has no default value.',
      );
    return new (this.opts.plugins.resolve(cls, ['source', 'sink'], 'connector.class').create)();
  }

  get limits(): ConnectorLimits {
    return this.opts.limits ?? DEFAULT_LIMITS;
  }

  /** Throws ConfigError for the first limit a (resolved) connector or task config breaks. */
  private checkLimits(config: ConnectorConfig, taskConfig?: ConnectorConfig): void {
    const cls = this.opts.plugins.find(config['connector.class'] ?? '')[0]?.class ?? '';
    const errors = [
      ...limitErrors(cls, config, this.limits, true),
      ...(taskConfig ? limitErrors(cls, { ...taskConfig, 'tasks.max': '1' }, this.limits, true) : []),
    ];
    if (errors.length > 0) throw new ConfigError(undefined, errors.map((e) => e.message).join('; '));
  }

  /** A client's settings for a connector; ConnectError when its overrides break the worker's policy. */
  private clientProps(kind: 'producer' | 'consumer', config: ConnectorConfig): Record<string, string> {
    requireAllowedOverrides(this.limits.overridePolicy, kind, config);
    return clientProps(this.opts.workerProps, kind, config);
  }

  connectorType(config: ConnectorConfig): 'source' | 'sink' | 'unknown' {
    const cls = config['connector.class'];
    const found = cls ? this.opts.plugins.find(cls).find((d) => d.type === 'source' || d.type === 'sink') : undefined;
    return (found?.type as 'source' | 'sink' | undefined) ?? 'unknown';
  }

  // ---- connectors -------------------------------------------------------

  async startConnector(
    name: string,
    config: ConnectorConfig,
    target: TargetState,
    onReconfigure: () => void,
  ): Promise<void> {
    await this.stopConnector(name);
    const log = this.opts.logs.logger('sluice.worker.WorkerConnector', { connector: name });
    this.startups.connector.attempts++;
    let version: string | undefined;
    const startedIn = this.generation;
    const report = (state: 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'UNASSIGNED', trace?: string) =>
      this.opts.status.connector(name, {
        state,
        workerId: this.workerId,
        trace: trace === undefined ? undefined : maskSecrets(trace),
        generation: releaseGeneration(state, startedIn, this.generation),
        version,
      });
    let connector: AnyConnector;
    let resolved: ReturnType<ConfigProviders['resolveTracked']>;
    try {
      connector = this.newConnector(config);
      version = safeVersion(connector);
      resolved = this.opts.providers.resolveTracked(config);
      this.checkLimits(resolved.config);
    } catch (err) {
      log.error('Failed to start connector', { error: (err as Error).message });
      report('FAILED', traceOf(err));
      this.startups.connector.failure++;
      return;
    }
    if (
      connector.type === 'source' &&
      !this.opts.exactlyOnceSource &&
      config['exactly.once.support']?.toLowerCase() === 'required'
    )
      log.warn('exactly.once.support=required is ignored in standalone mode: records are delivered at least once');
    if (connector.type === 'source' && this.requiresUnavailableExactlyOnce(config)) {
      report('FAILED', traceOf(new ConfigError('exactly.once.support', EXACTLY_ONCE_NOT_ENABLED)));
      this.startups.connector.failure++;
      return;
    }
    const wc = new WorkerConnector(
      name,
      connector,
      resolved.config,
      target,
      {
        running: () => report('RUNNING'),
        paused: () => report('PAUSED'),
        stopped: () => report('STOPPED'),
        failed: (err) => report('FAILED', traceOf(err)),
        unassigned: () => report('UNASSIGNED'),
      },
      onReconfigure,
      log,
    );
    this.connectors.set(name, wc);
    const cls = config['connector.class'] ?? '';
    this.connectorClasses.set(name, this.opts.plugins.find(cls).find((d) => d.type === connector.type)?.class ?? cls);
    this.resolvedValues.set(name, resolved.values);
    await wc.initialize();
    if (target !== 'STARTED' || wc.running) this.startups.connector.success++;
    else this.startups.connector.failure++;
  }

  /** Exactly-once delivery is available to this worker's source tasks. */
  get exactlyOnceSourceEnabled(): boolean {
    return this.opts.exactlyOnceSource?.support === 'enabled';
  }

  /** A distributed worker without exactly-once support cannot run a connector with exactly.once.support=required. */
  private requiresUnavailableExactlyOnce(config: ConnectorConfig): boolean {
    const eos = this.opts.exactlyOnceSource;
    return (
      eos !== undefined && eos.support !== 'enabled' && config['exactly.once.support']?.toLowerCase() === 'required'
    );
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.get(name)?.running ?? false;
  }

  connector(name: string): AnyConnector | undefined {
    return this.connectors.get(name)?.connector;
  }

  async connectorTaskConfigs(name: string, config: ConnectorConfig): Promise<ConnectorConfig[]> {
    const wc = this.connectors.get(name);
    if (!wc?.running) return [];
    // Never more than the worker's ceiling, whatever was stored: a connector allocates per task.
    const requested = Number(config['tasks.max'] ?? '1');
    const maxTasks = Number.isFinite(requested) ? Math.min(requested, this.limits.tasksMaxLimit) : 1;
    const configs = await wc.taskConfigs(maxTasks);
    if (configs.length > maxTasks && config['tasks.max.enforce'] !== 'false') {
      throw new Error(`Connector ${name} generated ${configs.length} tasks, more than tasks.max=${maxTasks}`);
    }
    // Stored and returned task configs keep the placeholders; tasks resolve them when they start.
    const sealed = sealTaskConfigs(config, configs, this.resolvedValues.get(name) ?? new Map());
    return sealed.map((c) => withFrameworkTaskKeys(c, config, this.taskClassName(config)));
  }

  /** The `task.class` of a connector's task configs (see PluginDescriptor.taskClass). */
  taskClassName(config: ConnectorConfig): string {
    const cls = config['connector.class'] ?? '';
    const found = this.opts.plugins.find(cls).find((d) => d.type === 'source' || d.type === 'sink');
    return taskClassOf(found?.class ?? cls, found && 'taskClass' in found ? found.taskClass : undefined);
  }

  async setConnectorTargetState(name: string, state: TargetState): Promise<void> {
    await this.connectors.get(name)?.transitionTo(state);
    for (const running of this.tasks.values()) {
      if (running.task.id.connector === name && state !== 'STOPPED') running.task.setTargetState(state);
    }
  }

  async stopConnector(name: string): Promise<void> {
    const wc = this.connectors.get(name);
    if (!wc) return;
    this.connectors.delete(name);
    this.resolvedValues.delete(name);
    await wc.shutdown();
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()];
  }

  /**
   * Zombie fencing of a source connector's previous task generation
   * (KIP-618), before its new task configs are written: initialises a
   * transactional producer for each task id whose config changes or goes
   * away, which bumps the id's epoch and aborts whatever transaction an old
   * instance left open, so no instance of the old generation can write or
   * commit any more; their workers restart them with the new configs. A task
   * whose config stays the same keeps running (its worker does not restart
   * it, so fencing it would leave it failed): an older instance of it was
   * already fenced when the current one started. Configs are compared
   * canonically, so a key order change alone never fences a task that is
   * not restarted. False when nothing was fenced (exactly-once off, a sink,
   * no changed task).
   */
  async fenceSourceTasks(
    connector: string,
    config: ConnectorConfig,
    previous: readonly ConnectorConfig[],
    next: readonly ConnectorConfig[],
  ): Promise<boolean> {
    const eos = this.opts.exactlyOnceSource;
    if (!eos || eos.support !== 'enabled' || this.connectorType(config) !== 'source') return false;
    const ids = previous
      .map((c, task) => ({ task, changed: next[task] === undefined || canonicalJson(c) !== canonicalJson(next[task]) }))
      .filter((t) => t.changed)
      .map((t) => t.task);
    if (ids.length === 0) return false;
    const log = this.opts.logs.logger('sluice.worker.Worker', { connector });
    const kafka = createKafka({
      clientId: `connector-fencing-${connector}`,
      // The stored config keeps its placeholders: resolve them for the fencing producer, as for a task's.
      props: this.clientProps('producer', this.opts.providers.resolve(config)),
      logger: log,
    });
    await Promise.all(
      ids.map(async (task) => {
        const producer = kafka.producer({
          transactionalId: taskTransactionalId(eos.groupId, connector, task),
          idempotent: true,
          maxInFlightRequests: 1,
        });
        await producer.connect();
        try {
          // transaction() sends InitProducerId for the id: that is the fencing. The transaction
          // itself is empty, and ending it sends nothing.
          const txn = await producer.transaction();
          await txn.abort();
        } finally {
          await producer.disconnect().catch(() => undefined);
        }
      }),
    );
    log.info('Fenced the previous generation of source tasks', { tasks: ids });
    return true;
  }

  // ---- tasks ------------------------------------------------------------

  /** Starts one task; failures to build it are reported as a FAILED task status. */
  async startTask(
    id: TaskId,
    connectorConfig: ConnectorConfig,
    taskConfig: ConnectorConfig,
    target: TargetState,
  ): Promise<void> {
    const key = taskKey(id);
    if (this.tasks.has(key)) await this.stopTasks([id]);
    this.startups.task.attempts++;
    const log = this.opts.logs.logger('sluice.worker.WorkerTask', { connector: id.connector, task: id.task });
    let version: string | undefined;
    const startedIn = this.generation;
    const reportStatus = (state: 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED', trace?: string) =>
      this.opts.status.task(id.connector, id.task, {
        state,
        workerId: this.workerId,
        trace: trace === undefined ? undefined : maskSecrets(trace),
        generation: releaseGeneration(state, startedIn, this.generation),
        version,
      });
    let metricsOf: TaskMetrics | undefined;
    const status = {
      running: () => (metricsOf?.setState('running'), reportStatus('RUNNING')),
      paused: () => (metricsOf?.setState('paused'), reportStatus('PAUSED')),
      resumed: () => (metricsOf?.setState('running'), reportStatus('RUNNING')),
      failed: (err: unknown) => (metricsOf?.setState('other'), reportStatus('FAILED', traceOf(err))),
      stopped: () => (metricsOf?.setState('other'), reportStatus('UNASSIGNED')),
    };
    const initialState = target === 'PAUSED' ? 'PAUSED' : 'STARTED';
    let built: BuiltTask;
    try {
      const conn = this.opts.providers.resolve(connectorConfig);
      const taskProps = this.opts.providers.resolve(taskConfig);
      this.checkLimits(conn, taskProps);
      built = this.buildTask(id, conn, taskProps, initialState, status, log);
      version = built.version;
      metricsOf = built.metrics;
    } catch (err) {
      log.error('Failed to build task', { error: (err as Error).message });
      status.failed(err);
      this.startups.task.failure++;
      return;
    }
    this.startups.task.success++;
    const done = built.task.run();
    this.tasks.set(key, { ...built, done });
  }

  /** The task of a connector's kind, from its resolved configs. */
  private buildTask(
    id: TaskId,
    conn: ConnectorConfig,
    taskProps: ConnectorConfig,
    initialState: TaskTargetState,
    status: TaskStatusListener,
    log: Logger,
  ): BuiltTask {
    const connector = this.newConnector(conn);
    const ctx: TaskBuildContext = {
      id,
      connector,
      config: conn,
      taskConfig: taskProps,
      initialState,
      status,
      log,
      workerProps: this.opts.workerProps,
      plugins: this.opts.plugins,
      offsetFlushIntervalMs: this.opts.offsetFlushIntervalMs,
      onTopicUsed: (t) => this.opts.onTopicUsed?.(id.connector, t),
      clientProps: (kind) => this.clientProps(kind, conn),
    };
    const base = buildTaskBase(ctx);
    if (connector.type === 'sink') return buildSinkTask(ctx, base);
    if (this.requiresUnavailableExactlyOnce(conn))
      throw new ConfigError('exactly.once.support', EXACTLY_ONCE_NOT_ENABLED);
    const eos = this.opts.exactlyOnceSource;
    return buildSourceTask(ctx, base, {
      offsets: this.opts.offsets,
      exactlyOnce: this.exactlyOnceSourceEnabled ? eos : undefined,
    });
  }

  setTaskTargetState(id: TaskId, state: TargetState): void {
    if (state !== 'STOPPED') this.tasks.get(taskKey(id))?.task.setTargetState(state);
  }

  /** Stops tasks, waiting up to task.shutdown.graceful.timeout.ms for them to flush and commit. */
  async stopTasks(ids: readonly TaskId[]): Promise<void> {
    const running = ids
      .map((id) => [taskKey(id), this.tasks.get(taskKey(id))] as const)
      .filter(([, r]) => r !== undefined);
    for (const [, r] of running) r!.task.stop();
    await Promise.all(
      running.map(async ([key, r]) => {
        const stopped = await r!.task.awaitStop(this.opts.gracefulShutdownMs);
        if (!stopped) this.log.warn('Graceful stop of task failed', { task: key });
        await r!.cleanup().catch(() => undefined);
        this.tasks.delete(key);
      }),
    );
  }

  taskIds(connector?: string): TaskId[] {
    return [...this.tasks.values()]
      .map((r) => r.task.id)
      .filter((id) => connector === undefined || id.connector === connector);
  }

  taskMetrics(): TaskMetrics[] {
    return [...this.tasks.values()].map((r) => r.metrics);
  }

  /** class, type and version of a connector this worker runs (connector-metrics) */
  connectorInfo(name: string): { class: string; type: 'source' | 'sink'; version: string } | undefined {
    const wc = this.connectors.get(name);
    if (!wc) return undefined;
    return {
      class: this.connectorClasses.get(name) ?? '',
      type: wc.type,
      version: safeVersion(wc.connector) ?? 'unknown',
    };
  }

  setGeneration(generation: number): void {
    this.generation = generation;
  }

  async stop(): Promise<void> {
    await this.stopTasks(this.taskIds());
    for (const name of this.connectorNames()) await this.stopConnector(name);
  }
}

/**
 * The generation a status is written with. UNASSIGNED (this worker let go of
 * the work) carries the generation the work was started in: a worker that fell
 * out of the group (cut off from Kafka past its session) and rejoins is told
 * to let go in a newer generation than the one in which another worker has
 * meanwhile started the same work; with the newer generation its UNASSIGNED
 * would replace that worker's RUNNING (found by the chaos run: tasks running
 * but reported UNASSIGNED for good).
 */
export function releaseGeneration(state: string, startedIn: number, current: number): number {
  return state === 'UNASSIGNED' ? startedIn : current;
}
