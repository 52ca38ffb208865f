// The operator's Connect REST client for a cluster: https with the
// operator's client certificate when the cluster's REST API has TLS (the
// default), plain http otherwise.
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { createConnectClient, type ConnectApi } from '../connect/connect-client.js';
import type { RestTlsManager } from './rest-tls-manager.js';
import { restTlsEnabled } from '../model/rest-tls.js';

/** `url` as names.ts builds it (http://...); its scheme follows the cluster's TLS setting. */
export function connectClientFor(
  restTls: RestTlsManager,
  kc: KafkaConnect,
  url: string,
  options: { timeoutMs?: number } = {},
): ConnectApi {
  if (!restTlsEnabled(kc)) return createConnectClient(url.replace(/^https:/, 'http:'), options);
  return createConnectClient(url.replace(/^http:/, 'https:'), { ...options, fetch: restTls.fetchFor(kc) });
}
