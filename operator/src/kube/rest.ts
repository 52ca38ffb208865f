// A minimal JSON REST client over the kubeconfig's transport, for generic
// resources by path. The generated client-node APIs are per-type and run
// bodies through ObjectSerializer (which drops fields it has no model for and
// turns timestamps into Date objects); the operator's cache and apply need
// plain JSON for any resource, exactly as the apiserver sent it.
//
// Connection reuse: KubeConfig.applySecurityAuthentication() builds a new
// undici Agent (its own connection pool) on every call, so each request made
// that way opens a new TLS (and HTTP/2) connection to the apiserver, which
// stays open after the request. All RestClients of one KubeConfig therefore
// share one dispatcher; only the auth headers (tokens may rotate) are
// computed per request.
import type * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

type Dispatcher = NonNullable<ReturnType<k8s.RequestContext['getDispatcher']>>;

interface Transport {
  /** cluster server + user the dispatcher was made for */
  key: string;
  dispatcher: Dispatcher | undefined;
}

const transports = new WeakMap<k8s.KubeConfig, Transport>();
const http = new k8s.IsomorphicFetchHttpLibrary();

/** The kubeconfig's dispatcher (TLS options, proxy), built once per cluster/user and reused. */
async function dispatcherFor(kubeConfig: k8s.KubeConfig, server: string): Promise<Dispatcher | undefined> {
  const key = JSON.stringify([server, kubeConfig.getCurrentUser()?.name ?? '']);
  const cached = transports.get(kubeConfig);
  if (cached?.key === key) return cached.dispatcher;
  const probe = new k8s.RequestContext(server, k8s.HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(probe);
  const transport = { key, dispatcher: probe.getDispatcher() };
  transports.set(kubeConfig, transport);
  return transport.dispatcher;
}

export class RestClient {
  constructor(private readonly kubeConfig: k8s.KubeConfig) {}

  /** Sends the request; resolves to the parsed JSON body, rejects with ApiException on non-2xx. */
  async request<T = unknown>({ method, path, query, body, contentType }: RestRequest): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const ctx = new k8s.RequestContext(cluster.server + path, k8s.HttpMethod[method]);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(name, String(value));
    }
    ctx.setHeaderParam('Accept', 'application/json');
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(body));
    }
    await this.authenticate(ctx, cluster.server);
    const response = await http.send(ctx).toPromise();
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (rare: proxies, plain-text errors); keep the text
    }
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new k8s.ApiException(response.httpStatusCode, `${method} ${path} failed`, parsed, response.headers);
    }
    return parsed as T;
  }

  /** Auth headers of this moment (tokens, exec plugins) on the shared connection pool. */
  private async authenticate(ctx: k8s.RequestContext, server: string): Promise<void> {
    const dispatcher = await dispatcherFor(this.kubeConfig, server);
    const opts: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      if (value !== undefined) ctx.setHeaderParam(name, String(value));
    }
    if (typeof opts.auth === 'string') {
      ctx.setHeaderParam('Authorization', `Basic ${Buffer.from(opts.auth).toString('base64')}`);
    }
    if (dispatcher) ctx.setDispatcher(dispatcher);
  }
}
