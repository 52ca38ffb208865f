// Connector and task status in the compacted status.storage.topic, in Kafka
// Connect's format (KafkaStatusBackingStore):
//   status-connector-<c>    {"state":"RUNNING","trace":null,"worker_id":"w1","generation":3,"version":"4.3.1"}
//   status-task-<c>-<n>     the same
// A null value (Apache's DESTROYED) removes the entry. Writes update local
// state at once and go to the topic in the background; other workers'
// updates arrive through the log. A status from another worker with a lower
// generation than the one held does not replace it (Apache's
// CacheEntry.canWriteSafely), so a zombie worker cannot clobber a newer owner.
import type { Kafka } from 'kafkajs';
import type { ConnectorState } from '../vocabulary/connector.js';
import { KafkaBasedLog } from './kafka-based-log.js';
import type { Status, StatusListener } from './status-store.js';
import type { Logger } from '../util/logging.js';
import { jacksonText } from '../converters/java-text.js';
import { parseTaskKey, taskKey } from '../vocabulary/task-id.js';

const CONNECTOR_PREFIX = 'status-connector-';
const TASK_PREFIX = 'status-task-';
const STATES: readonly ConnectorState[] = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING', 'STOPPED'];

export const connectorStatusKey = (connector: string): string => `${CONNECTOR_PREFIX}${connector}`;
export const taskStatusKey = (connector: string, task: number): string =>
  `${TASK_PREFIX}${taskKey({ connector, task })}`;

export type StatusKey = { kind: 'connector'; connector: string } | { kind: 'task'; connector: string; task: number };

/** Parses a status key; undefined for other keys (e.g. `status-topic-...`). */
export function parseStatusKey(key: string): StatusKey | undefined {
  if (key.startsWith(CONNECTOR_PREFIX)) return { kind: 'connector', connector: key.slice(CONNECTOR_PREFIX.length) };
  if (key.startsWith(TASK_PREFIX)) {
    const id = parseTaskKey(key.slice(TASK_PREFIX.length));
    return id && { kind: 'task', ...id };
  }
  return undefined;
}

/** The value bytes Apache writes (JsonConverter, schemas off, field order of STATUS_SCHEMA_V0, Kafka 4.1+). */
export function encodeStatus(status: Status): string {
  return jacksonText(
    JSON.stringify({
      state: status.state,
      trace: status.trace ?? null,
      worker_id: status.workerId,
      generation: status.generation,
      version: status.version ?? null,
    }),
  );
}

/** Parses a status value; undefined when it is not one. */
export function decodeStatus(value: string): Status | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const v = parsed as Record<string, unknown>;
  if (typeof v.state !== 'string' || !STATES.includes(v.state as ConnectorState)) return undefined;
  if (typeof v.worker_id !== 'string') return undefined;
  const status: Status = {
    state: v.state as ConnectorState,
    workerId: v.worker_id,
    generation: typeof v.generation === 'number' ? v.generation : 0,
  };
  if (typeof v.trace === 'string') status.trace = v.trace;
  if (typeof v.version === 'string') status.version = v.version;
  return status;
}

/** Apache's CacheEntry.canWriteSafely: may `next` replace `current`? */
export function canOverride(current: Status | undefined, next: Status): boolean {
  return !current || current.workerId === next.workerId || current.generation <= next.generation;
}

/**
 * For task statuses read from the topic: an UNASSIGNED from one worker of the
 * same or an older generation does not replace another worker's RUNNING (the
 * worker that let go of the task had not read that another one started it).
 * Apache reads every status as it comes; this guards the chaos run's case of
 * a worker that rejoins after a cut and releases work another worker holds.
 * A worker's own UNASSIGNED always replaces its own RUNNING: it carries the
 * generation the task started in (worker.ts, releaseGeneration), which may
 * be older than that of the worker's last RUNNING or PAUSED, and a task left
 * RUNNING for good would keep a stopped connector listing it.
 */
export function staleUnassigned(current: Status | undefined, next: Status): boolean {
  return (
    next.state === 'UNASSIGNED' &&
    current !== undefined &&
    current.state === 'RUNNING' &&
    current.workerId !== next.workerId &&
    current.generation >= next.generation
  );
}

/** The statuses as last seen, with the generation rule; pure (no Kafka). */
export class StatusState {
  private readonly connectors = new Map<string, Status>();
  private readonly tasks = new Map<string, Map<number, Status>>();

  /** Applies a record read from the topic; returns whether it changed anything. */
  applyRecord(key: string, value: string | null): boolean {
    const parsed = parseStatusKey(key);
    if (!parsed) return false;
    if (value === null) {
      if (parsed.kind === 'connector') return this.connectors.delete(parsed.connector);
      return this.deleteTask(parsed.connector, parsed.task);
    }
    const status = decodeStatus(value);
    if (!status) return false;
    const current = parsed.kind === 'connector' ? this.getConnector(parsed.connector) : this.getTask(parsed);
    if (!canOverride(current, status)) return false;
    if (parsed.kind === 'task' && staleUnassigned(current, status)) return false;
    this.put(parsed, status);
    return true;
  }

  put(key: StatusKey, status: Status): void {
    if (key.kind === 'connector') {
      this.connectors.set(key.connector, status);
      return;
    }
    let m = this.tasks.get(key.connector);
    if (!m) this.tasks.set(key.connector, (m = new Map()));
    m.set(key.task, status);
  }

  getConnector(name: string): Status | undefined {
    return this.connectors.get(name);
  }

  getTask({ connector, task }: { connector: string; task: number }): Status | undefined {
    return this.tasks.get(connector)?.get(task);
  }

  getTasks(connector: string): Map<number, Status> {
    return new Map(this.tasks.get(connector) ?? []);
  }

  deleteTask(connector: string, task: number): boolean {
    const m = this.tasks.get(connector);
    const had = m?.delete(task) ?? false;
    if (m?.size === 0) this.tasks.delete(connector);
    return had;
  }

  deleteConnector(connector: string): void {
    this.connectors.delete(connector);
  }
}

export interface KafkaStatusStoreOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** `status.storage.partitions` (Apache's default: 5) */
  readonly partitions?: number;
  /** `status.storage.replication.factor`; -1 = the broker's default */
  readonly replicationFactor?: number;
  readonly logger: Logger;
  /** called (after local state changed) for statuses read from the topic */
  readonly onUpdate?: (key: StatusKey) => void;
}

const SEND_ATTEMPTS = 5;

export class KafkaStatusStore implements StatusListener {
  private readonly state = new StatusState();
  private readonly log: KafkaBasedLog;
  /** per key: the last write's promise (writes of one key go out in order) and its sequence */
  private readonly sending = new Map<string, { seq: number; done: Promise<void> }>();
  private readonly logger: Logger;

  constructor(private readonly options: KafkaStatusStoreOptions) {
    this.logger = options.logger;
    this.log = new KafkaBasedLog({
      kafka: options.kafka,
      topic: options.topic,
      setting: 'status.storage.topic',
      partitions: options.partitions ?? 5,
      replicationFactor: options.replicationFactor ?? -1,
      logger: options.logger,
      onRecord: (r) => {
        if (r.key === null) return;
        if (this.state.applyRecord(r.key, r.value === null ? null : r.value.toString('utf8'))) {
          const parsed = parseStatusKey(r.key);
          if (parsed) this.options.onUpdate?.(parsed);
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.log.startAndReadToEnd();
  }

  /** Waits for pending writes, then stops reading. */
  async stop(): Promise<void> {
    await this.flush();
    await this.log.stop();
  }

  /** Catches up with statuses other workers wrote. */
  async refresh(): Promise<void> {
    await this.log.readToEnd();
  }

  /** Resolves when every write made so far was acknowledged (or gave up). */
  async flush(): Promise<void> {
    await Promise.all([...this.sending.values()].map((s) => s.done));
  }

  connector(name: string, status: Status): void {
    // Apache writes UNASSIGNED (a worker letting go of a connector) with putSafe.
    if (status.state === 'UNASSIGNED' && !canOverride(this.state.getConnector(name), status)) return;
    const key = { kind: 'connector', connector: name } as const;
    this.state.put(key, status);
    this.write(connectorStatusKey(name), encodeStatus(status));
  }

  task(connector: string, task: number, status: Status): void {
    if (status.state === 'UNASSIGNED' && !canOverride(this.state.getTask({ connector, task }), status)) return;
    const key = { kind: 'task', connector, task } as const;
    this.state.put(key, status);
    this.write(taskStatusKey(connector, task), encodeStatus(status));
  }

  /** Apache's putSafe: writes only when no other worker holds a newer generation. */
  connectorSafe(name: string, status: Status): boolean {
    if (!canOverride(this.state.getConnector(name), status)) return false;
    this.connector(name, status);
    return true;
  }

  /** Apache's putSafe for a task. */
  taskSafe(connector: string, task: number, status: Status): boolean {
    if (!canOverride(this.state.getTask({ connector, task }), status)) return false;
    this.task(connector, task, status);
    return true;
  }

  getConnector(name: string): Status | undefined {
    return this.state.getConnector(name);
  }

  getTasks(connector: string): Map<number, Status> {
    return this.state.getTasks(connector);
  }

  /** Forgets task statuses from `fromTask` on and writes their tombstones. */
  dropTasks(connector: string, fromTask = 0): void {
    for (const id of this.state.getTasks(connector).keys()) {
      if (id < fromTask) continue;
      this.state.deleteTask(connector, id);
      this.write(taskStatusKey(connector, id), null);
    }
  }

  /** Forgets a deleted connector and its tasks, writing tombstones (Apache's DESTROYED). */
  remove(connector: string): void {
    this.dropTasks(connector, 0);
    this.state.deleteConnector(connector);
    this.write(connectorStatusKey(connector), null);
  }

  private write(key: string, value: string | null): void {
    const previous = this.sending.get(key);
    const seq = (previous?.seq ?? 0) + 1;
    const done = (previous?.done ?? Promise.resolve()).then(() => this.sendWithRetries(key, value, seq));
    const entry = { seq, done };
    this.sending.set(key, entry);
    void done.finally(() => {
      if (this.sending.get(key) === entry) this.sending.delete(key);
    });
  }

  private async sendWithRetries(key: string, value: string | null, seq: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.log.send(key, value);
        return;
      } catch (err) {
        // A newer write of the same key supersedes this one (Apache's sequence check).
        const superseded = (this.sending.get(key)?.seq ?? seq) !== seq;
        if (superseded || attempt >= SEND_ATTEMPTS) {
          if (!superseded)
            this.logger.warn('Failed to write status', { topic: this.log.topic, key, error: (err as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}
