// worker.properties for a KafkaConnect: Kafka Connect's own keys, so the same
// file could drive Apache Kafka Connect. Credentials never appear here: they
// are mounted from Secrets and referenced through config providers
// (${dir:<mount>:<key>}), which Kafka Connect resolves at start.
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { names, DATA_DIR, REST_PORT, SECRETS_DIR } from './names.js';
import { resolvedMode } from './spec.js';
import { restTlsWorkerProperties } from './rest-tls.js';
import { runtimeTraits, runtimeWorkerProperties } from './runtime.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

/** Where a Secret used by the cluster is mounted in the worker. */
export const secretMount = (secretName: string) => `${SECRETS_DIR}/${secretName}`;

export function workerProperties(kc: KafkaConnect): Record<string, string> {
  const spec = kc.spec;
  const name = kc.metadata.name;
  const namespace = kc.metadata.namespace ?? 'default';
  const mode = resolvedMode(kc);
  const runtime = runtimeWorkerProperties(kc);
  const props: Record<string, string> = {
    ...runtime.defaults,
    'key.converter': JSON_CONVERTER,
    'value.converter': JSON_CONVERTER,
    // Short, so a crashed worker sends again at most about half a second of records (docs/reliability.md).
    'offset.flush.interval.ms': '500',
    // Connectors may not override their Kafka clients' settings (a connector pointing its
    // producer at another broker would send the worker's credentials there); spec.config may relax it.
    'connector.client.config.override.policy': 'None',
    ...(spec.config ?? {}),
    'bootstrap.servers': spec.bootstrapServers,
    listeners: `http://:${REST_PORT}`,
    'rest.advertised.port': String(REST_PORT),
    // https with mutual TLS (unless spec.rest.tls.enabled is false) and the plain health port
    ...restTlsWorkerProperties(kc, REST_PORT),
    'log.level': spec.logging?.level ?? 'INFO',
    'metrics.enable': String(spec.metrics?.enabled ?? true),
    // Providers for secrets in worker and connector configs, and for the
    // per-pod advertised host name below.
    'config.providers': 'dir,env',
    'config.providers.dir.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
    // The directory provider reads only the mounted Secrets, nothing else on the worker's disk.
    'config.providers.dir.param.allowed.paths': SECRETS_DIR,
    'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    // ...and the environment provider only the variable worker.properties itself uses.
    'config.providers.env.param.allowlist.pattern': '^SLUICE_ADVERTISED_HOST$',
    ...runtime.fixed,
  };
  if (mode === 'standalone') {
    props['offset.storage.file.filename'] = runtimeTraits(kc).standaloneOffsetsFile;
    props['config.storage.file.filename'] = `${DATA_DIR}/connectors.json`;
  } else {
    const rf = String(spec.replicationFactor ?? -1);
    Object.assign(props, {
      'group.id': spec.groupId ?? names.groupId(name, namespace),
      'config.storage.topic': spec.configStorageTopic ?? names.configTopic(name, namespace),
      'offset.storage.topic': spec.offsetStorageTopic ?? names.offsetTopic(name, namespace),
      'status.storage.topic': spec.statusStorageTopic ?? names.statusTopic(name, namespace),
      'config.storage.replication.factor': rf,
      'offset.storage.replication.factor': rf,
      'status.storage.replication.factor': rf,
      // Each pod advertises its stable DNS name (set in the pod's env).
      'rest.advertised.host.name': '${env:SLUICE_ADVERTISED_HOST}',
    });
  }
  Object.assign(props, securityProperties(kc));
  return props;
}

function securityProperties(kc: KafkaConnect): Record<string, string> {
  const { tls, authentication: auth } = kc.spec;
  const out: Record<string, string> = {};
  const sasl = auth && auth.type !== 'tls';
  const useTls = Boolean(tls) || auth?.type === 'tls';
  out['security.protocol'] = sasl ? (useTls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : useTls ? 'SSL' : 'PLAINTEXT';
  const cas = tls?.trustedCertificates ?? [];
  if (cas.length > 0) {
    out['ssl.truststore.type'] = 'PEM';
    out['ssl.truststore.certificates'] = cas
      .map((c) => `\${dir:${secretMount(c.secretName)}:${c.certificate}}`)
      .join('\n');
  }
  if (auth?.type === 'tls' && auth.certificateAndKey) {
    const m = secretMount(auth.certificateAndKey.secretName);
    out['ssl.keystore.type'] = 'PEM';
    out['ssl.keystore.certificate.chain'] = `\${dir:${m}:${auth.certificateAndKey.certificate}}`;
    out['ssl.keystore.key'] = `\${dir:${m}:${auth.certificateAndKey.key}}`;
  }
  if (sasl && auth.passwordSecret) {
    const mechanism = auth.type === 'plain' ? 'PLAIN' : auth.type.toUpperCase();
    const module =
      auth.type === 'plain'
        ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
        : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    const password = `\${dir:${secretMount(auth.passwordSecret.secretName)}:${auth.passwordSecret.password}}`;
    out['sasl.mechanism'] = mechanism;
    out['sasl.jaas.config'] = `${module} required username="${auth.username ?? ''}" password="${password}";`;
  }
  return out;
}

/** Secrets the workers mount (TLS CAs, client certificates, SASL passwords, Secrets connectors may use). */
export function referencedSecrets(kc: KafkaConnect): string[] {
  const out = new Set<string>();
  for (const c of kc.spec.tls?.trustedCertificates ?? []) out.add(c.secretName);
  const auth = kc.spec.authentication;
  if (auth?.certificateAndKey) out.add(auth.certificateAndKey.secretName);
  if (auth?.passwordSecret) out.add(auth.passwordSecret.secretName);
  for (const s of kc.spec.connectorSecrets ?? []) out.add(s);
  return [...out].sort();
}

/** Java .properties text, keys sorted so equal configs give equal bytes (and hashes). */
export function renderProperties(props: Record<string, string>): string {
  const escape = (s: string, isKey: boolean) =>
    s
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t')
      .replace(isKey ? /([=: #!])/g : /^([ #!])/, '\\$1');
  return (
    Object.keys(props)
      .sort()
      .map((k) => `${escape(k, true)}=${escape(props[k]!, false)}`)
      .join('\n') + '\n'
  );
}
