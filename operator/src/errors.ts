// The operator's errors, in one place: each carries a stable `code` (for
// logs, Events and tests) and says whether trying again can help
// (`retriable`), so retry loops decide from the error alone and never retry
// a request the other side has refused for good. Errors of the Kubernetes
// API (client-node's ApiException) are classified here too.

/** Stable codes of the errors the operator raises. */
export const ErrorCodes = {
  /** A Connect worker could not be reached: connection refused or reset, DNS, TLS. */
  CONNECT_UNREACHABLE: 'CONNECT_UNREACHABLE',
  /** A Connect worker did not answer within the per-request timeout (e.g. it hangs). */
  CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  /** 409: a rebalance is in progress (or the leader is unknown) and the request may succeed later. */
  CONNECT_REBALANCING: 'CONNECT_REBALANCING',
  /** 5xx: the worker failed to serve the request (or a proxy in front of it did). */
  CONNECT_SERVER_ERROR: 'CONNECT_SERVER_ERROR',
  /** 4xx other than 409: the request itself was refused (bad config, unknown connector, ...). */
  CONNECT_REJECTED: 'CONNECT_REJECTED',
  /** A 2xx answer whose body is not the JSON the API promises. */
  CONNECT_BAD_RESPONSE: 'CONNECT_BAD_RESPONSE',
  /** Secrets of a cluster's REST certificate names exist and are not the cluster's own: left alone. */
  REST_TLS_FOREIGN_SECRETS: 'REST_TLS_FOREIGN_SECRETS',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class OperatorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** whether the same request may succeed if tried again later */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OperatorError';
  }
}

/** The code and retriability of a Connect REST answer (status 0: no answer at all). */
export function classifyConnectStatus(status: number, timedOut = false): { code: ErrorCode; retriable: boolean } {
  if (status === 0)
    return { code: timedOut ? ErrorCodes.CONNECT_TIMEOUT : ErrorCodes.CONNECT_UNREACHABLE, retriable: true };
  if (status === 409) return { code: ErrorCodes.CONNECT_REBALANCING, retriable: true };
  if (status >= 500) return { code: ErrorCodes.CONNECT_SERVER_ERROR, retriable: true };
  if (status >= 400) return { code: ErrorCodes.CONNECT_REJECTED, retriable: false };
  return { code: ErrorCodes.CONNECT_BAD_RESPONSE, retriable: false };
}

/** A failed request to a Connect cluster's REST API; `status` is 0 when no answer came. */
export class ConnectApiError extends OperatorError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    message: string,
    options: { timedOut?: boolean; cause?: unknown; code?: ErrorCode } = {},
  ) {
    const c = classifyConnectStatus(status, options.timedOut);
    super(options.code ?? c.code, `${method} ${path}: ${status === 0 ? '' : `${status} `}${message}`, c.retriable, {
      cause: options.cause,
    });
    this.name = 'ConnectApiError';
  }

  /** The worker's own message, without the method, path and status. */
  get detail(): string {
    return this.message.replace(/^\w+ \S+: (\d+ )?/, '');
  }
}

/** Secrets of the REST certificates' names exist and are not this KafkaConnect's (ownership.ts): left alone. */
export class ForeignSecretsError extends OperatorError {
  constructor(readonly objects: string[]) {
    super(ErrorCodes.REST_TLS_FOREIGN_SECRETS, objects.join('; '), false);
    this.name = 'ForeignSecretsError';
  }
}

/**
 * Whether trying again can help, for any error the operator meets: its own
 * (from `retriable`), the Kubernetes API's (no status: network; 409, 429 and
 * 5xx: later), else no (a programming error is never retried).
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof OperatorError) return err.retriable;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown } | undefined;
  const status = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) return false;
  return status === 0 || status === 409 || status === 429 || status >= 500;
}

/** The stable code of an error, for logs and Events ('UNKNOWN' for anything else). */
export function codeOf(err: unknown): string {
  if (err instanceof OperatorError) return err.code;
  const e = err as { code?: unknown } | undefined;
  if (typeof e?.code === 'number') return `KUBE_${e.code}`;
  return 'UNKNOWN';
}

/** The message of any error, as a person should read it (the Kubernetes API's own message when it sent one). */
export function messageOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return err instanceof Error ? err.message : String(err);
}
