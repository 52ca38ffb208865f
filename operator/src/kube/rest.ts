// A minimal JSON REST client over the kubeconfig's transport, for generic
// resources by path. The generated client-node APIs are per-type and run
// bodies through ObjectSerializer (which drops fields it has no model for and
// turns timestamps into Date objects); the operator's cache and apply need
// plain JSON for any resource, exactly as the apiserver sent it.
import * as k8s from '@kubernetes/client-node';

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

export class RestClient {
  private readonly http = new k8s.IsomorphicFetchHttpLibrary();

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
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const response = await this.http.send(ctx).toPromise();
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
}
