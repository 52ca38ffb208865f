// A list+watch cache (an informer) for one resource collection path, e.g.
// /api/v1/namespaces/ns/configmaps or /apis/sluice.dev/v1alpha1/connectors.
//
// Written on client-node's Watch rather than makeInformer because the latter
// stops for good on any error other than 410; here one loop owns the whole
// lifecycle: list (paginated) → watch from the list's resourceVersion → on a
// normal end re-watch from the last seen version; on 410 Gone relist; on any
// other error (apiserver restart, network) back off and retry. A relist diffs
// against the cache, so objects deleted while we were not watching are
// reported as deletes and handlers never miss a transition.
import * as k8s from '@kubernetes/client-node';
import { sleep, systemClock, type Clock } from './clock.js';
import { errorMessage, silentLogger, type Logger } from './logger.js';
import { RestClient } from './rest.js';

export type WatchEventType = 'add' | 'update' | 'delete';

/** `old` is the previous cached object for updates. */
export type WatchHandler<T> = (type: WatchEventType, obj: T, old?: T) => void;

/** What a controller needs from a cache; implemented by Watcher (and fakes in tests). */
export interface Informer<T extends k8s.KubernetesObject = k8s.KubernetesObject> {
  start(): void;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  /** Registers a handler; returns a function that unregisters it. */
  onEvent(handler: WatchHandler<T>): () => void;
}

export interface WatcherOptions {
  kubeConfig: k8s.KubeConfig;
  /** Collection path, e.g. collectionPath({ version: 'v1', plural: 'configmaps' }, 'ns'). */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
  logger?: Logger;
  /** First retry delay after an error; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Page size of list calls. */
  pageSize?: number;
  /**
   * What of each object the cache keeps (client-go's SetTransform); applied
   * before caching and before handlers see it. Default: slimObject.
   */
  transform?: <O extends k8s.KubernetesObject>(obj: O) => O;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The object without what no reconciler reads but every cached copy would
 * carry: the field sets of metadata.managedFields (about half of a typical
 * object; the entries stay, without fieldsV1, so "who manages this" can still
 * be asked) and kubectl's last-applied-configuration annotation (a second
 * copy of the whole object).
 */
export function slimObject<T extends k8s.KubernetesObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta) return obj;
  const slim: k8s.V1ObjectMeta = { ...meta };
  if (meta.managedFields) slim.managedFields = meta.managedFields.map(({ fieldsV1: _f, ...entry }) => entry);
  if (meta.annotations && LAST_APPLIED in meta.annotations) {
    const { [LAST_APPLIED]: _l, ...rest } = meta.annotations;
    slim.annotations = rest;
  }
  return { ...obj, metadata: slim };
}

interface ListResponse<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

interface WatchError extends Error {
  statusCode?: number;
  code?: number;
}

export class Watcher<T extends k8s.KubernetesObject = k8s.KubernetesObject> implements Informer<T> {
  private readonly options: WatcherOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly rest: RestClient;
  private readonly watch: k8s.Watch;
  private readonly cache = new Map<string, T>();
  private readonly handlers = new Set<WatchHandler<T>>();
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private resourceVersion = '';
  private synced = false;
  private running: Promise<void> | undefined;
  private stopper: AbortController | undefined;
  private currentWatch: AbortController | undefined;

  constructor(options: WatcherOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.rest = new RestClient(options.kubeConfig);
    this.watch = new k8s.Watch(options.kubeConfig);
  }

  get path(): string {
    return this.options.path;
  }

  /** Starts listing and watching in the background; idempotent. */
  start(): void {
    if (this.running) return;
    this.stopper = new AbortController();
    this.running = this.run(this.stopper.signal);
  }

  /** Stops watching; the cache keeps its last contents. */
  async stop(): Promise<void> {
    this.stopper?.abort();
    this.currentWatch?.abort();
    await this.running;
    this.running = undefined;
    for (const waiter of this.syncWaiters.splice(0)) waiter(this.synced);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache; false if stopped (or `signal` aborts) first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = (synced: boolean) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      };
      const onAbort = () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(waiter);
    });
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(cacheKey(namespace, name));
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  onEvent(handler: WatchHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const initial = this.options.initialBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 30_000;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        const started = this.clock.now();
        const outcome = await this.watchOnce(signal);
        if (signal.aborted) break;
        if (outcome.gone) {
          // Our resourceVersion is older than etcd's compaction window: relist at once.
          this.logger.info('watch expired (410), relisting', { path: this.path });
          this.resourceVersion = '';
          failures = 0;
          continue;
        }
        if (outcome.error && !isTimeout(outcome.error)) throw outcome.error;
        // A normal end (server timeout, client inactivity timeout): re-watch from
        // where we are. Only a watch that ended at once without events counts as
        // a failure, so a misbehaving endpoint cannot make us spin.
        if (outcome.events === 0 && this.clock.now() - started < 1000 && !outcome.error) {
          throw new Error('watch closed immediately');
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          this.resourceVersion = '';
          continue;
        }
        const delay = Math.min(initial * 2 ** failures, max);
        failures++;
        this.logger.warn('list/watch failed, retrying', { path: this.path, error: errorMessage(err), delayMs: delay });
        await sleep(this.clock, delay, signal);
      }
    }
  }

  /** Lists all pages and replaces the cache, emitting the differences. */
  private async relist(): Promise<void> {
    const items: T[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const page = await this.rest.request<ListResponse<T>>({
        method: 'GET',
        path: this.path,
        query: {
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
          limit: this.options.pageSize ?? 500,
          continue: continueToken,
        },
      });
      items.push(...(page.items ?? []));
      // The first page's version is the snapshot all pages belong to.
      resourceVersion ||= page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);

    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(objectCacheKey(obj));
      this.upsert(this.transform(obj));
    }
    for (const [key, old] of [...this.cache]) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters.splice(0)) waiter(true);
    }
  }

  /** One watch request; resolves when it ends, with how it ended. */
  private watchOnce(signal: AbortSignal): Promise<{ error?: unknown; gone?: boolean; events: number }> {
    return new Promise((resolve) => {
      let events = 0;
      let gone = false;
      let watchError: unknown;
      const onEvent = (phase: string, obj: unknown) => {
        events++;
        if (phase === 'ERROR') {
          // A Status object; 410 means our version was compacted away.
          const status = obj as { code?: number; message?: string };
          if (status.code === 410) gone = true;
          else watchError = Object.assign(new Error(`watch error: ${status.message ?? 'unknown'}`), status);
          this.currentWatch?.abort();
          return;
        }
        this.apply(phase, obj as T);
      };
      let finished = false;
      const onDone = (err: unknown) => {
        finished = true;
        this.currentWatch = undefined;
        if (isGone(err)) gone = true;
        resolve({ error: gone ? undefined : (watchError ?? err ?? undefined), gone, events });
      };
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        // Like client-go: 5-10 min, so reconnects of many watchers spread out.
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
      };
      this.watch.watch(this.path, query, onEvent, onDone).then(
        (controller) => {
          if (finished) return;
          this.currentWatch = controller;
          if (signal.aborted) controller.abort();
        },
        (err: unknown) => onDone(err),
      );
    });
  }

  private apply(phase: string, obj: T): void {
    const version = obj.metadata?.resourceVersion;
    switch (phase) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(this.transform(obj));
        break;
      case 'DELETED': {
        const key = objectCacheKey(obj);
        const old = this.cache.get(key);
        this.cache.delete(key);
        this.emit('delete', this.transform(obj), old);
        break;
      }
      case 'BOOKMARK':
        break;
    }
    if (version) this.resourceVersion = version;
  }

  private transform(obj: T): T {
    return (this.options.transform ?? slimObject)(obj);
  }

  private upsert(obj: T): void {
    const key = objectCacheKey(obj);
    const old = this.cache.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.cache.set(key, obj);
    this.emit(old ? 'update' : 'add', obj, old);
  }

  private emit(type: WatchEventType, obj: T, old?: T): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(type, obj, old);
      } catch (err) {
        this.logger.error('watch handler failed', { path: this.path, error: errorMessage(err) });
      }
    }
  }
}

function cacheKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function objectCacheKey(obj: k8s.KubernetesObject): string {
  return cacheKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

function isGone(err: unknown): boolean {
  const e = err as WatchError | undefined;
  return e?.statusCode === 410 || e?.code === 410;
}

/** client-node's Watch aborts a watch after 30 s without data; that is a normal end. */
function isTimeout(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'TimeoutError';
}
