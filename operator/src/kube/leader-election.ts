// Leader election on a coordination.k8s.io/v1 Lease, following client-go:
// a candidate takes the lease when it is free or expired; the leader renews it
// every retry period and gives up leadership when it could not renew for the
// renew deadline (before the lease expires for others, so two leaders never
// overlap). Expiry is judged by our own clock from when we last saw the record
// change, not by the renewTime written by another host, so clock skew between
// hosts does not matter. On stop the leader releases the lease (empty holder,
// 1 s duration) so a successor takes over at once instead of after 15 s.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { sleep, systemClock, type Clock } from './clock.js';
import { errorMessage, silentLogger, type Logger } from './logger.js';
import { isConflict, isNotFound } from './apply.js';

export interface LeaderElectorOptions {
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  /** Lease name, e.g. "sluice-operator". */
  name: string;
  /** Defaults to defaultIdentity(). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Leadership gained: start controllers. */
  onStartedLeading?: () => void | Promise<void>;
  /** Leadership lost or given up: stop controllers. Awaited before the lease is released. */
  onStoppedLeading?: () => void | Promise<void>;
  /** The observed holder changed (also to someone else). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
  /** Jitter for candidate retries; injectable for tests. */
  random?: () => number;
}

/** POD_NAME (downward API) or the hostname, plus a random suffix so restarts are distinct holders. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.POD_NAME || hostname()}_${randomBytes(4).toString('hex')}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly options: LeaderElectorOptions;
  private readonly api: k8s.CoordinationV1Api;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private leader = false;
  private observedRecord = '';
  private observedTime = 0;
  private observedHolder = '';
  private running: Promise<void> | undefined;
  private stopper: AbortController | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.identity = options.identity ?? defaultIdentity();
    this.api = options.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('lease duration must exceed the renew deadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs) throw new Error('renew deadline must exceed the retry period');
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** Starts campaigning in the background; idempotent. */
  start(): void {
    if (this.running) return;
    this.stopper = new AbortController();
    this.running = this.run(this.stopper.signal);
  }

  /** Stops campaigning; a leader stops leading (callback awaited) and releases the lease. */
  async stop(): Promise<void> {
    this.stopper?.abort();
    await this.running;
    this.running = undefined;
    if (this.leader) {
      await this.stepDown();
      await this.release();
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    const random = this.options.random ?? Math.random;
    while (!signal.aborted) {
      // Candidate: retry with jitter (as client-go, factor 1.2) so candidates do not move in lockstep.
      while (!signal.aborted && !(await this.tryAcquireOrRenew())) {
        await sleep(this.clock, this.retryPeriodMs * (1 + random() * 1.2), signal);
      }
      if (signal.aborted) return;
      this.leader = true;
      this.logger.info('became leader', { lease: this.options.name, identity: this.identity });
      await this.callback(this.options.onStartedLeading);

      // Leader: renew every retry period; give up after the renew deadline without success.
      let lastRenew = this.clock.now();
      while (!signal.aborted) {
        await sleep(this.clock, this.retryPeriodMs, signal);
        if (signal.aborted) return; // stop() steps down and releases
        if (await this.tryAcquireOrRenew()) {
          lastRenew = this.clock.now();
        } else if (this.clock.now() - lastRenew >= this.renewDeadlineMs) {
          this.logger.warn('lost leadership: could not renew the lease', { lease: this.options.name });
          await this.stepDown();
          break;
        }
      }
    }
  }

  private async stepDown(): Promise<void> {
    this.leader = false;
    await this.callback(this.options.onStoppedLeading);
  }

  /** One attempt to take or renew the lease; false on any failure (logged). */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace } = this.options;
    const now = this.clock.now();
    const spec: k8s.V1LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: new k8s.V1MicroTime(now),
      renewTime: new k8s.V1MicroTime(now),
      leaseTransitions: 0,
    };
    let lease: k8s.V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace }, this.requestOptions());
    } catch (err) {
      if (!isNotFound(err)) {
        this.logger.warn('reading the lease failed', { lease: name, error: errorMessage(err) });
        return false;
      }
      try {
        this.observe(
          await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } }),
        );
        return true;
      } catch (createErr) {
        if (!isConflict(createErr)) this.logger.warn('creating the lease failed', { error: errorMessage(createErr) });
        return false;
      }
    }

    this.observe(lease);
    const old = lease.spec ?? {};
    const holder = old.holderIdentity ?? '';
    const durationMs = (old.leaseDurationSeconds ?? 0) * 1000;
    if (holder && holder !== this.identity && this.observedTime + durationMs > now) return false;

    // Free, expired, or ours: write ourselves in; the resourceVersion makes it a compare-and-swap.
    if (holder === this.identity) {
      spec.acquireTime = old.acquireTime;
      spec.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      this.observe(
        await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } }, this.requestOptions()),
      );
      return true;
    } catch (err) {
      if (!isConflict(err)) this.logger.warn('updating the lease failed', { lease: name, error: errorMessage(err) });
      return false;
    }
  }

  /** Gives the lease up so a candidate can take it without waiting for expiry. */
  private async release(): Promise<void> {
    const { name, namespace } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace }, this.requestOptions());
      if (lease.spec?.holderIdentity !== this.identity) return;
      const now = new k8s.V1MicroTime(this.clock.now());
      await this.api.replaceNamespacedLease(
        {
          name,
          namespace,
          body: {
            ...lease,
            spec: {
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: lease.spec.leaseTransitions,
            },
          },
        },
        this.requestOptions(),
      );
      this.logger.info('released the lease', { lease: name });
    } catch (err) {
      this.logger.warn('releasing the lease failed; it expires on its own', { error: errorMessage(err) });
    }
  }

  /** Remembers when the record last changed, by our clock. */
  private observe(lease: k8s.V1Lease): void {
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, String(spec.renewTime), spec.leaseDurationSeconds]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedTime = this.clock.now();
    }
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.options.onNewLeader?.(holder);
    }
  }

  /** A per-request deadline, so a hung apiserver call cannot outlast the renew deadline. */
  private requestOptions(): k8s.ConfigurationOptions {
    const timeoutMs = Math.max(1000, this.renewDeadlineMs / 2);
    return {
      middleware: [
        {
          pre: (ctx) => {
            ctx.setSignal(AbortSignal.timeout(timeoutMs));
            return new k8s.Observable(Promise.resolve(ctx));
          },
          post: (rsp) => new k8s.Observable(Promise.resolve(rsp)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  private async callback(fn: (() => void | Promise<void>) | undefined): Promise<void> {
    try {
      await fn?.();
    } catch (err) {
      this.logger.error('leader election callback failed', { error: errorMessage(err) });
    }
  }
}
