// The worker's REST server: node:http (or node:https with optional mutual
// TLS), the router, and the request pipeline (parse target → route → read
// body → handler under a deadline → respond). Resources only talk to the
// Herder; this file owns everything HTTP. One server is one listener; a
// worker with several listeners runs several (rest-listeners.ts).
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Herder } from '../herder/types.js';
import { parseJsonBody, readBody } from './body.js';
import { registerConnectorRoutes } from './connectors-resource.js';
import { badRequest, errorBody, methodNotAllowed, notFound, requestTimedOut, toErrorResponse } from './http-errors.js';
import { registerLoggerRoutes } from './loggers-resource.js';
import { registerPluginRoutes } from './plugins-resource.js';
import { registerRootRoutes } from './root-resource.js';
import { Router } from './router.js';
import {
  silentLogger,
  type MetricsSource,
  type RestLogger,
  type RestRequest,
  type RestResponse,
  type RouteHandler,
} from './types.js';

export interface RestServerOptions {
  herder: Herder;
  logger?: RestLogger;
  /** Default 0.0.0.0 (Kafka's `listeners=http://:8083`). */
  host?: string;
  /** Default 8083; 0 picks a free port. */
  port?: number;
  /** Larger bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Deadline for reading the body and running the handler; then 500 "Request timed out". Default 90 s. */
  requestTimeoutMs?: number;
  /** Deadline of GET /health. Default 10 s (Kafka's health-check timeout). */
  healthTimeoutMs?: number;
  /** A client must send all headers within this. Default 30 s. */
  headersTimeoutMs?: number;
  /** A client must send the whole request (headers and body) within this (Node's requestTimeout). Default 60 s. */
  receiveTimeoutMs?: number;
  /** Idle keep-alive connections close after this. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** How long stop() lets in-flight requests finish before cutting connections. Default 10 s. */
  shutdownGraceMs?: number;
  /** Serves GET /metrics when given. */
  metrics?: MetricsSource;
  /** HTTPS with this key material; clientAuth as Kafka's ssl.client.auth. */
  tls?: { material: SecureContextOptions; clientAuth: 'required' | 'requested' | 'none' };
  /** Which paths this listener serves (by decoded segments); others are 404. Default: all. */
  serves?: (segments: readonly string[]) => boolean;
}

export interface RestServer {
  /** Starts listening; resolves with the bound port (useful with port 0). */
  start(): Promise<{ port: number }>;
  /** Stops accepting connections and waits (up to shutdownGraceMs) for in-flight requests. */
  stop(): Promise<void>;
  /** Base URL, e.g. `http://127.0.0.1:8083` (wildcard hosts become localhost). Valid after start(). */
  readonly url: string;
  /** Adds an extension route; `{param}` segments arrive decoded in `req.params`. */
  addRoute(method: string, pattern: string, handler: RouteHandler): void;
  /** HTTPS only: new connections use this material (a renewed certificate); open ones keep theirs. */
  setTlsMaterial(material: SecureContextOptions): void;
}

/** The answer to a request without a client certificate where one is required. */
export const CLIENT_CERT_REQUIRED =
  'A client certificate signed by a trusted CA is required (ssl.client.auth=required)';

/** Paths in logs are cut to this length: a hostile URL must not flood them. */
const MAX_LOGGED_PATH = 256;

interface Target {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

/** Splits the request target into the raw path, decoded segments and query. */
export function parseTarget(rawUrl: string): Target {
  let url = rawUrl;
  if (!url.startsWith('/')) {
    // Absolute-form (a proxy-style request) is legal HTTP; anything else ("*") is not a resource.
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
      url = parsed.pathname + parsed.search;
    } catch {
      throw badRequest('Malformed request URL');
    }
  }
  const hash = url.indexOf('#');
  if (hash >= 0) url = url.slice(0, hash);
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  // One trailing slash is tolerated, as Jersey does ("/connectors/").
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const rawSegments = trimmed === '/' ? [] : trimmed.slice(1).split('/');
  let segments: string[];
  try {
    segments = rawSegments.map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest('Malformed URL path: bad percent-encoding');
  }
  return { path, segments, query };
}

export function createRestServer(options: RestServerOptions): RestServer {
  const herder = options.herder;
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '0.0.0.0';
  const port = options.port ?? 8083;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const requestTimeoutMs = options.requestTimeoutMs ?? 90_000;
  const receiveTimeoutMs = options.receiveTimeoutMs ?? 60_000;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeoutMs = Math.min(options.headersTimeoutMs ?? 30_000, receiveTimeoutMs);
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;

  const router = new Router<RouteHandler>();
  const addRoute = (method: string, pattern: string, handler: RouteHandler) => router.add(method, pattern, handler);
  registerRootRoutes(addRoute, herder, {
    healthTimeoutMs: options.healthTimeoutMs ?? 10_000,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  registerConnectorRoutes(addRoute, herder, logger);
  registerPluginRoutes(addRoute, herder);
  registerLoggerRoutes(addRoute, herder, logger);

  const httpOptions = {
    requestTimeout: receiveTimeoutMs,
    headersTimeout: headersTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    // How often Node checks the two timeouts above; its 30 s default would make them coarse.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
  };
  const tls = options.tls;
  const clientAuth = tls?.clientAuth ?? 'none';
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server = tls
    ? createHttpsServer(
        {
          ...httpOptions,
          ...tls.material,
          // A certificate is asked for, and checked below: a client without one
          // gets a 401 it can read; one from a CA we do not trust is cut off.
          requestCert: clientAuth !== 'none',
          rejectUnauthorized: false,
        },
        onRequest,
      )
    : createHttpServer(httpOptions, onRequest);
  server.on('clientError', onClientError);
  if (tls && clientAuth !== 'none') {
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized) return;
      const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
      if (presented) {
        logger.debug('REST client certificate refused', { reason: String(socket.authorizationError) });
        socket.destroy();
      }
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    const controller = new AbortController();
    // 'close' on the response fires when it finishes or the connection drops.
    res.on('close', () => controller.abort());
    let response: RestResponse;
    try {
      response = await dispatch(req, rawUrl, controller);
    } catch (err) {
      const mapped = toErrorResponse(err);
      if (mapped.status >= 500) {
        logger.error('Uncaught exception in REST call', {
          method: req.method,
          path: loggedPath(rawUrl),
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      }
      response = mapped;
    }
    send(req, res, response);
    logger.debug('REST request', {
      method: req.method,
      path: loggedPath(rawUrl),
      status: response.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  }

  async function dispatch(req: IncomingMessage, rawUrl: string, controller: AbortController): Promise<RestResponse> {
    if (clientAuth === 'required' && !(req.socket as TLSSocket).authorized) {
      return { status: 401, body: errorBody(401, CLIENT_CERT_REQUIRED) };
    }
    const target = parseTarget(rawUrl);
    if (options.serves && !options.serves(target.segments)) throw notFound();
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const match = router.match(method, target.segments);
    if (match.kind === 'not-found') throw notFound();
    if (match.kind === 'method-not-allowed') throw methodNotAllowed(match.allowed);

    const work = (async () => {
      const body = await readBody(req, maxBodyBytes);
      let parsed: { value: unknown } | undefined;
      const request: RestRequest = {
        method,
        path: target.path,
        params: match.params,
        query: target.query,
        headers: req.headers,
        body,
        signal: controller.signal,
        json: () => (parsed ??= { value: parseJsonBody(body, req.headers['content-type']) }).value,
      };
      return match.route.handler(request);
    })();
    return withDeadline(work, controller);
  }

  /** Kafka's HerderRequestHandler: give up after requestTimeoutMs with 500 "Request timed out". */
  function withDeadline(work: Promise<RestResponse>, controller: AbortController): Promise<RestResponse> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(requestTimedOut());
      }, requestTimeoutMs);
    });
    // The herder call keeps running after a timeout; its late outcome is dropped.
    work.catch(() => {});
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }

  function send(req: IncomingMessage, res: ServerResponse, response: RestResponse): void {
    if (res.headersSent || res.destroyed || res.writableEnded) return;
    for (const [k, v] of Object.entries(response.headers ?? {})) res.setHeader(k, v);
    // A body we did not (fully) read must not be parsed as the next request.
    if (!req.complete) res.setHeader('Connection', 'close');
    let data: string | Buffer | undefined;
    if (response.raw) {
      res.setHeader('Content-Type', response.raw.contentType);
      data = response.raw.data;
    } else if (response.body !== undefined && response.status !== 204) {
      res.setHeader('Content-Type', 'application/json');
      data = JSON.stringify(response.body);
    }
    if (data === undefined) {
      res.writeHead(response.status);
      res.end();
      return;
    }
    res.setHeader('Content-Length', Buffer.byteLength(data));
    res.writeHead(response.status);
    res.end(data);
  }

  /** Errors before a request is formed (bad request line, headers too large, too slow): answer and hang up. */
  function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify(errorBody(status, `HTTP ${status} ${STATUS_CODES[status]}`));
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      socket.once('finish', () => socket.destroy());
    } else {
      socket.destroy();
    }
    logger.debug('REST client error', { code: err.code });
  }

  let bound: AddressInfo | undefined;

  return {
    start() {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          bound = server.address() as AddressInfo;
          logger.info('REST server listening', { host, port: bound.port });
          resolve({ port: bound.port });
        });
      });
    },
    stop() {
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
        server.close(() => {
          clearTimeout(force);
          logger.info('REST server stopped');
          resolve();
        });
        server.closeIdleConnections();
      });
    },
    get url() {
      if (!bound) throw new Error('REST server is not started');
      const wildcard = ['0.0.0.0', '::', ''].includes(host);
      const h = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      return `${tls ? 'https' : 'http'}://${h}:${bound.port}`;
    },
    addRoute,
    setTlsMaterial(material) {
      if (!tls) throw new Error('setTlsMaterial on an http listener');
      (server as ReturnType<typeof createHttpsServer>).setSecureContext(material);
    },
  };
}

function loggedPath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}
