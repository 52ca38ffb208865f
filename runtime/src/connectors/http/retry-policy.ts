// What to do after one HTTP attempt (pure): which answers are retried, which
// refuse the records, and how long to wait before the next attempt.

export type Outcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rejected'; readonly status: number; readonly body: string };

/** 2xx delivers; 408, 429 and 5xx are retried; other statuses (4xx, 3xx, 1xx) refuse the records. */
export function classify(status: number, body: string, retryAfter: string | undefined, now: number): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { kind: 'retry', reason: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { kind: 'rejected', status, body };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3), in ms from `now`; undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffOptions {
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  readonly retryAfterMaxMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first): exponential with
 * 20% jitter, capped; a server's Retry-After wins, capped by retryAfterMaxMs.
 */
export function retryDelay(
  retry: number,
  opts: BackoffOptions,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, opts.retryAfterMaxMs);
  const exp = Math.min(opts.backoffMs * 2 ** Math.min(retry - 1, 30), opts.backoffMaxMs);
  return Math.round(exp * (0.8 + 0.4 * random()));
}
