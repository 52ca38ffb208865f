// Kubernetes Events about objects (what `kubectl describe` shows). A
// reconcile loop repeats itself, so the same warning would otherwise create a
// new Event every pass: repeats of one reason+message for one object within
// the window bump `count` and `lastTimestamp` of the existing Event instead,
// like client-go's event correlator. Recording is best effort: a failure is
// logged and never fails a reconcile.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { systemClock, type Clock } from './clock.js';
import { errorMessage, silentLogger, type Logger } from './logger.js';
import { isNotFound } from './apply.js';
import { RestClient } from './rest.js';

export const REPORTING_CONTROLLER = 'sluice.dev/operator';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  kubeConfig: k8s.KubeConfig;
  reportingController?: string;
  /** Defaults to POD_NAME or the hostname. */
  reportingInstance?: string;
  /** Repeats within this window are counted on one Event; default 5 minutes. */
  dedupWindowMs?: number;
  /** Remembered (object, reason, message) entries; the oldest are forgotten. */
  maxEntries?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
  lastSeen: number;
}

export class EventRecorder {
  private readonly rest: RestClient;
  private readonly options: EventRecorderOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly seen = new Map<string, Seen>();

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.rest = new RestClient(options.kubeConfig);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  normal(obj: k8s.KubernetesObject, reason: string, message: string): Promise<k8s.CoreV1Event | undefined> {
    return this.record(obj, 'Normal', reason, message);
  }

  warning(obj: k8s.KubernetesObject, reason: string, message: string): Promise<k8s.CoreV1Event | undefined> {
    return this.record(obj, 'Warning', reason, message);
  }

  /** Records (or counts) an Event; resolves to it, or undefined if that failed. */
  async record(
    obj: k8s.KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<k8s.CoreV1Event | undefined> {
    const now = this.clock.now();
    const meta = obj.metadata ?? {};
    const key = JSON.stringify([meta.uid ?? '', meta.namespace ?? '', obj.kind, meta.name, type, reason, message]);
    const previous = this.seen.get(key);
    try {
      if (previous && now - previous.lastSeen < (this.options.dedupWindowMs ?? 5 * 60_000)) {
        try {
          const patched = await this.rest.request<k8s.CoreV1Event>({
            method: 'PATCH',
            path: `/api/v1/namespaces/${previous.namespace}/events/${previous.name}`,
            body: { count: previous.count + 1, lastTimestamp: new Date(now) },
            contentType: k8s.PatchStrategy.MergePatch,
          });
          this.remember(key, { ...previous, count: previous.count + 1, lastSeen: now });
          return patched;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // The Event expired (apiserver TTL, default 1 h) or was deleted: start a new one.
        }
      }
      const created = await this.create(obj, type, reason, message, now);
      this.remember(key, {
        namespace: created.metadata?.namespace ?? '',
        name: created.metadata?.name ?? '',
        count: 1,
        lastSeen: now,
      });
      return created;
    } catch (err) {
      this.logger.warn('recording an event failed', { reason, error: errorMessage(err) });
      return undefined;
    }
  }

  private create(
    obj: k8s.KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
    now: number,
  ): Promise<k8s.CoreV1Event> {
    const meta = obj.metadata ?? {};
    // Events live with their object; cluster-scoped objects' Events go to "default".
    const namespace = meta.namespace || 'default';
    const controller = this.options.reportingController ?? REPORTING_CONTROLLER;
    return this.rest.request<k8s.CoreV1Event>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/events`,
      body: {
        // client-go's naming: <object>.<unix nanos in hex>; a random tail guards against same-ms repeats.
        metadata: { name: `${meta.name}.${(BigInt(now) * 1_000_000n).toString(16)}${randomBytes(2).toString('hex')}` },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        type,
        reason,
        // events.k8s.io caps notes at 1 KiB; keep messages short enough for both APIs.
        message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
        count: 1,
        firstTimestamp: new Date(now),
        lastTimestamp: new Date(now),
        source: { component: controller },
        reportingComponent: controller,
        reportingInstance: this.options.reportingInstance ?? (process.env.POD_NAME || hostname()),
      },
    });
  }

  private remember(key: string, entry: Seen): void {
    this.seen.delete(key); // re-insert: Map order doubles as least-recently-used order
    this.seen.set(key, entry);
    const max = this.options.maxEntries ?? 4096;
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= max) break;
      this.seen.delete(oldest);
    }
  }
}
