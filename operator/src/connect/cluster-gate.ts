// Keeps one unhealthy Connect cluster from slowing down everyone else. The
// connectors of a cluster share one health probe at a time; a cluster found
// unreachable, hanging or failing is remembered as such for a while (longer
// after each failure in a row, up to a cap), and reconciles of its
// connectors then answer at once instead of each waiting out a timeout. A
// reconcile never waits long for a probe: if the answer is not there within
// a short wait, it says "pending" and the probe finishes in the background
// (its failure is then remembered), so a worker that hangs holds no
// reconcile slot for its timeout. A healthy answer is trusted for a few
// seconds; meanwhile any request that fails on the cluster counts as a
// failure at once (reportingFailures).
import { ErrorCodes, OperatorError } from '../errors.js';
import type { ConnectApi } from './connect-client.js';

export interface ClusterGateOptions {
  /** How long a failure answers for the cluster at first; doubles per failure in a row. Default 5 s. */
  readonly failureTtlMs?: number;
  /** Cap of that doubling; default 60 s. */
  readonly maxFailureTtlMs?: number;
  /** How long a healthy answer is trusted; default 5 s. */
  readonly healthyTtlMs?: number;
  /** Longest a reconcile waits for a probe before it answers "pending"; default 500 ms. */
  readonly waitMs?: number;
  readonly now?: () => number;
}

export type Verdict =
  | { readonly state: 'healthy' }
  | { readonly state: 'unhealthy'; readonly retryInMs: number; readonly reason: string }
  | { readonly state: 'pending'; readonly retryInMs: number };

interface Entry {
  /** identity of what was probed (uid, version, URL): a changed cluster is probed afresh */
  version: string;
  /** a probe in flight */
  probe?: Promise<boolean>;
  probeStarted?: number;
  /** failures in a row, and until when the last one answers */
  failures: number;
  until: number;
  reason: string;
  /** when the last healthy answer came */
  healthyAt?: number;
}

/** What the gate needs of a cluster resource. */
export interface GatedCluster {
  readonly metadata: { namespace?: string; name: string; uid?: string; resourceVersion?: string };
}

/** The gate's key of a cluster. */
export const gateKey = (cluster: GatedCluster) => `${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`;

/**
 * What a verdict holds for: the cluster object's identity and version and the
 * URL probed. Any change of the KafkaConnect (e.g. its workers becoming ready)
 * makes its connectors probe afresh.
 */
export const gateVersion = (cluster: GatedCluster, client: ConnectApi) =>
  `${cluster.metadata.uid ?? ''}/${cluster.metadata.resourceVersion ?? ''}/${client.baseUrl}`;

/** Errors that say the cluster itself is in trouble (not this one request). */
export function isClusterFailure(err: unknown): boolean {
  return (
    err instanceof OperatorError &&
    (err.code === ErrorCodes.CONNECT_TIMEOUT ||
      err.code === ErrorCodes.CONNECT_UNREACHABLE ||
      err.code === ErrorCodes.CONNECT_SERVER_ERROR)
  );
}

export class ClusterGate {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<ClusterGateOptions>;

  constructor(options: ClusterGateOptions = {}) {
    this.o = {
      failureTtlMs: options.failureTtlMs ?? 5_000,
      maxFailureTtlMs: options.maxFailureTtlMs ?? 60_000,
      healthyTtlMs: options.healthyTtlMs ?? 5_000,
      waitMs: options.waitMs ?? 500,
      now: options.now ?? Date.now,
    };
  }

  /** A remembered failure of the cluster, if it still answers for it. */
  known(key: string, version: string): Verdict | undefined {
    const e = this.entries.get(key);
    if (!e || e.version !== version) return undefined;
    const left = e.until - this.o.now();
    if (e.failures > 0 && left > 0) return { state: 'unhealthy', retryInMs: left, reason: e.reason };
    return undefined;
  }

  /**
   * Whether the cluster `key` (at `version`) answers its health probe. One
   * probe per cluster at a time; waits at most waitMs for it.
   */
  async check(key: string, version: string, probe: () => Promise<boolean>): Promise<Verdict> {
    const remembered = this.known(key, version);
    if (remembered) return remembered;
    let e = this.entries.get(key);
    if (!e || e.version !== version) {
      e = { version, failures: 0, until: 0, reason: '' };
      this.entries.set(key, e);
    }
    const now = this.o.now();
    if (e.healthyAt !== undefined && now - e.healthyAt < this.o.healthyTtlMs) return { state: 'healthy' };
    if (e.probe && now - (e.probeStarted ?? now) >= this.o.waitMs)
      return { state: 'pending', retryInMs: this.o.waitMs * 4 };
    if (!e.probe) {
      const entry = e;
      entry.probeStarted = now;
      entry.probe = probe().then(
        (ok) => ok,
        () => false,
      );
      void entry.probe.then((ok) => {
        entry.probe = undefined;
        if (ok) this.succeeded(key, version);
        else this.failed(key, version, 'the health probe failed or timed out');
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      e.probe!,
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), this.o.waitMs))),
    ]);
    clearTimeout(timer);
    if (waited === undefined) return { state: 'pending', retryInMs: this.o.waitMs * 4 };
    if (waited) return { state: 'healthy' };
    return this.known(key, version) ?? { state: 'unhealthy', retryInMs: this.o.failureTtlMs, reason: 'unreachable' };
  }

  /** Remembers a failure seen on any request (a timeout, a refused connection, a 5xx). */
  failed(key: string, version: string, reason: string): void {
    let e = this.entries.get(key);
    if (!e || e.version !== version) {
      e = { version, failures: 0, until: 0, reason };
      this.entries.set(key, e);
    }
    const ttl = Math.min(this.o.failureTtlMs * 2 ** e.failures, this.o.maxFailureTtlMs);
    e.failures++;
    e.until = this.o.now() + ttl;
    e.reason = reason;
    e.healthyAt = undefined;
  }

  /** The cluster answered: forget its failures. */
  succeeded(key: string, version: string): void {
    const e = this.entries.get(key);
    if (!e || e.version !== version) return;
    e.failures = 0;
    e.until = 0;
    e.healthyAt = this.o.now();
  }

  /** check() for a cluster and its client (the probe: GET /health). */
  probe(cluster: GatedCluster, client: ConnectApi): Promise<Verdict> {
    return this.check(gateKey(cluster), gateVersion(cluster, client), () => client.health());
  }

  /** known() for a cluster and its client. */
  knownFailure(cluster: GatedCluster, client: ConnectApi): Verdict | undefined {
    return this.known(gateKey(cluster), gateVersion(cluster, client));
  }

  /** `client`, its cluster failures remembered here for the cluster's other callers. */
  guard(cluster: GatedCluster, client: ConnectApi): ConnectApi {
    return reportingFailures(client, (err) => this.failed(gateKey(cluster), gateVersion(cluster, client), err.message));
  }

  /** Forgets a cluster (it was deleted). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}

/** `client` with every call's cluster failures (see isClusterFailure) also passed to `onFailure`. */
export function reportingFailures(client: ConnectApi, onFailure: (err: Error) => void): ConnectApi {
  const wrapped: Record<string, unknown> = { baseUrl: client.baseUrl };
  for (const [name, fn] of Object.entries(client)) {
    if (typeof fn !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>).apply(client, args);
      } catch (err) {
        if (isClusterFailure(err)) onFailure(err as Error);
        throw err;
      }
    };
  }
  return wrapped as unknown as ConnectApi;
}
