// A generic level-triggered controller: watch events only say *which* key
// needs attention (namespace/name of a primary object); reconcile(key) reads
// the current state and converges it. Events for secondary objects (the
// Deployments, ConfigMaps, ... a primary owns) are mapped back to the keys of
// their primaries. The work queue collapses bursts, serialises each key and
// retries failures with backoff; a periodic resync re-queues every primary so
// drift that produces no event (an external system, a lost event) is healed.
import type { KubernetesObject } from '@kubernetes/client-node';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { errorMessage, silentLogger, type Logger } from './logger.js';
import type { OperatorMetrics } from './metrics.js';
import type { Informer } from './watcher.js';
import { WorkQueue } from './work-queue.js';
import type { RateLimiter } from './rate-limiter.js';

export type ReconcileResult = { requeueAfter?: number } | void;

/** Maps a secondary object to the keys (namespace/name) of the primaries to reconcile. */
export type KeyMapper = (obj: KubernetesObject) => string[];

export interface SecondaryWatch {
  informer: Informer;
  map: KeyMapper;
}

export interface ControllerOptions {
  /** The primary kind, for logs and metric labels (e.g. "KafkaConnect"). */
  kind: string;
  primary: Informer;
  secondaries?: SecondaryWatch[];
  reconcile: (key: string) => Promise<ReconcileResult>;
  /** Concurrent reconcile loops; default 2. Never two for one key. */
  workers?: number;
  /** Re-queue every primary this often; default 120 s; 0 disables. */
  resyncPeriodMs?: number;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: OperatorMetrics;
  logger?: Logger;
}

/** The work-queue key of an object: "namespace/name" ("/name" style is never produced; cluster-scoped is "name"). */
export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Keys of owners of `kind` (optionally also matching the apiVersion's group)
 * in the object's ownerReferences; owners are in the object's namespace.
 */
export function ownerKeys(kind: string, apiVersion?: string): KeyMapper {
  const group = apiVersion?.includes('/') ? apiVersion.split('/')[0] : undefined;
  return (obj) =>
    (obj.metadata?.ownerReferences ?? [])
      .filter((o) => o.kind === kind && (group === undefined || o.apiVersion.split('/')[0] === group))
      .map((o) => objectKey({ metadata: { namespace: obj.metadata?.namespace, name: o.name } }));
}

/** The key "namespace/<label value>" when the object carries `label`. */
export function labelKeys(label: string): KeyMapper {
  return (obj) => {
    const value = obj.metadata?.labels?.[label];
    return value ? [objectKey({ metadata: { namespace: obj.metadata?.namespace, name: value } })] : [];
  };
}

export class Controller {
  private readonly options: ControllerOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private unsubscribe: (() => void)[] = [];
  private resyncTimer: TimerHandle | undefined;
  private starting: AbortController | undefined;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  get kind(): string {
    return this.options.kind;
  }

  /** The informers this controller reads (for readiness). */
  informers(): Informer[] {
    return [this.options.primary, ...(this.options.secondaries ?? []).map((s) => s.informer)];
  }

  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced());
  }

  isRunning(): boolean {
    return this.queue !== undefined;
  }

  /**
   * Starts the informers (if not yet), waits for their caches, then starts the
   * workers; resolves once running (false if stop() came first). Informers are
   * shared and outlive the controller: stop() leaves them running.
   */
  async start(): Promise<boolean> {
    if (this.queue || this.starting) return true;
    const starting = new AbortController();
    this.starting = starting;
    const { kind, metrics } = this.options;
    const queue = new WorkQueue({
      clock: this.clock,
      rateLimiter: this.options.rateLimiter,
      onDepth: (depth) => metrics?.workqueueDepth.set({ kind }, depth),
      onRetry: () => metrics?.workqueueRetries.inc({ kind }),
    });
    // Subscribe before syncing so nothing that happens meanwhile is missed;
    // the queue collapses the duplicates with the initial enqueue below.
    this.unsubscribe = this.subscribe(queue);
    for (const informer of this.informers()) informer.start();
    const synced = await Promise.all(this.informers().map((i) => i.waitForSync(starting.signal)));
    this.starting = undefined;
    if (starting.signal.aborted || synced.includes(false)) {
      for (const off of this.unsubscribe.splice(0)) off();
      queue.shutDown();
      return false;
    }
    this.queue = queue;
    this.enqueueAll();
    this.scheduleResync();
    this.workers = Array.from({ length: this.options.workers ?? 2 }, () => this.work(queue));
    this.logger.info('controller started', { kind });
    return true;
  }

  /** Stops taking work and waits for in-flight reconciles to finish. */
  async stop(): Promise<void> {
    this.starting?.abort();
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
    const queue = this.queue;
    this.queue = undefined;
    queue?.shutDown();
    await Promise.all(this.workers.splice(0));
    this.logger.info('controller stopped', { kind: this.options.kind });
  }

  /** Queues a key by hand (e.g. from an external trigger). */
  enqueue(key: string): void {
    this.queue?.add(key);
  }

  private subscribe(queue: WorkQueue): (() => void)[] {
    // Deletes are queued too: reconcile then sees the object gone and cleans up.
    const offs = [this.options.primary.onEvent((_type, obj) => queue.add(objectKey(obj)))];
    for (const { informer, map } of this.options.secondaries ?? []) {
      offs.push(
        informer.onEvent((_type, obj, old) => {
          // On update the old object counts too: a label or owner may have moved away.
          const keys = new Set([...this.safeMap(map, obj), ...(old ? this.safeMap(map, old) : [])]);
          for (const key of keys) queue.add(key);
        }),
      );
    }
    return offs;
  }

  private safeMap(map: KeyMapper, obj: KubernetesObject): string[] {
    try {
      return map(obj);
    } catch (err) {
      this.logger.error('key mapping failed', { kind: this.options.kind, error: errorMessage(err) });
      return [];
    }
  }

  private enqueueAll(): void {
    for (const obj of this.options.primary.list()) this.queue?.add(objectKey(obj));
  }

  private scheduleResync(): void {
    const period = this.options.resyncPeriodMs ?? 120_000;
    if (period <= 0) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      this.enqueueAll();
      this.scheduleResync();
    }, period);
  }

  private async work(queue: WorkQueue): Promise<void> {
    const { kind, metrics } = this.options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const started = this.clock.now();
      try {
        const result = await this.options.reconcile(key);
        queue.forget(key);
        const requeueAfter = result?.requeueAfter;
        if (requeueAfter !== undefined) queue.addAfter(key, requeueAfter);
        metrics?.reconcileTotal.inc({ kind, result: requeueAfter !== undefined ? 'requeue' : 'success' });
      } catch (err) {
        metrics?.reconcileTotal.inc({ kind, result: 'error' });
        metrics?.reconcileErrors.inc({ kind });
        this.logger.warn('reconcile failed', {
          kind,
          key,
          error: errorMessage(err),
          retries: queue.numRequeues(key),
        });
        queue.addRateLimited(key);
      } finally {
        metrics?.reconcileDuration.observe({ kind }, (this.clock.now() - started) / 1000);
        queue.done(key);
      }
    }
  }
}
