// Types shared by the REST server, its resources and extension routes.
import type { IncomingHttpHeaders } from 'node:http';

/** The subset of a winston logger the REST layer uses. */
export interface RestLogger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  debug(msg: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: RestLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
};

/** What a route handler sees of a request. The body has already been read (within the size limit). */
export interface RestRequest {
  /** Upper-case method; HEAD requests are routed as GET. */
  readonly method: string;
  /** The raw (still encoded) path, without the query string. */
  readonly path: string;
  /** Decoded `{param}` values. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw request body (empty when none was sent). */
  readonly body: Buffer;
  /** The body parsed as JSON, or `undefined` when empty. Throws a 400/415 RestError when it cannot be. */
  json(): unknown;
  /** Aborted when the request times out or the client goes away. */
  readonly signal: AbortSignal;
}

export interface RestResponse {
  status: number;
  /** Serialised as JSON; omit for an empty body. */
  body?: unknown;
  /** A non-JSON body (e.g. Prometheus text); takes precedence over `body`. */
  raw?: { contentType: string; data: string | Buffer };
  headers?: Record<string, string>;
}

export type RouteHandler = (req: RestRequest) => Promise<RestResponse> | RestResponse;

/** Registers a route; later the distributed mode adds `PUT /sluice/drain` and friends this way. */
export type AddRoute = (method: string, pattern: string, handler: RouteHandler) => void;

/** Prometheus exposition, e.g. `async () => ({ contentType: registry.contentType, body: await registry.metrics() })`. */
export type MetricsSource = () => Promise<{ contentType: string; body: string }>;
