// Whether a KafkaConnect's REST API speaks TLS, and what that means for its
// workers: where they find the mounted certificate files, the
// worker.properties keys (Kafka's listener keys), the plain health port and
// the names the server certificate must carry. Pure; the certificates
// themselves are made in tls/, their Secrets built in rest-tls-secrets.ts.
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { CONFIG_DIR, names } from './names.js';

export const HEALTH_PORT = 8084;
export const REST_TLS_DIR = `${CONFIG_DIR}/rest-tls`;

/**
 * TLS on the REST API as spec.rest.tls.enabled says; by default on for the
 * Sluice runtime and off for Apache's (its Jetty listener reads Java
 * keystores, not the PEM files the operator mounts).
 */
export const restTlsEnabled = (kc: KafkaConnect): boolean => kc.spec.rest?.tls?.enabled ?? kc.spec.runtime !== 'apache';

export const restScheme = (kc: KafkaConnect): 'http' | 'https' => (restTlsEnabled(kc) ? 'https' : 'http');

/** The server certificate's names: the API Service, every worker through the headless Service, port-forwards. */
export function serverHosts(cluster: string, namespace: string): string[] {
  const api = names.apiService(cluster);
  const headless = names.headlessService(cluster);
  return [
    api,
    `${api}.${namespace}`,
    `${api}.${namespace}.svc`,
    `${api}.${namespace}.svc.cluster.local`,
    `${headless}.${namespace}.svc`,
    `*.${headless}.${namespace}.svc`,
    `*.${headless}.${namespace}.svc.cluster.local`,
    'localhost',
    '127.0.0.1',
  ];
}

/** Kafka's listener keys for the workers: https with mutual TLS, plus the plain health port. */
export function restTlsWorkerProperties(kc: KafkaConnect, restPort: number): Record<string, string> {
  if (!restTlsEnabled(kc)) return { 'health.listeners': `http://:${HEALTH_PORT}` };
  return {
    listeners: `https://:${restPort}`,
    'rest.advertised.listener': 'https',
    'listeners.https.ssl.keystore.type': 'PEM',
    'listeners.https.ssl.keystore.location': `${REST_TLS_DIR}/keystore.pem`,
    'listeners.https.ssl.truststore.type': 'PEM',
    'listeners.https.ssl.truststore.location': `${REST_TLS_DIR}/ca.crt`,
    'listeners.https.ssl.client.auth': 'required',
    'health.listeners': `http://:${HEALTH_PORT}`,
  };
}
