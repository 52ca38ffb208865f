// Kubernetes Secrets in a Connector's spec.config. A value may carry
// `${secret:<secret-name>:<key>}` (anywhere in it, as many as needed); the
// operator sends the workers Kafka Connect's DirectoryConfigProvider
// placeholder `${dir:/etc/sluice/secrets/<secret-name>:<key>}` instead, for
// the Secret mounted read-only there. The value itself never leaves the
// Secret: not in the CR, the config sent over REST, the config topic or a
// status; only a running task resolves it.
//
// Who may create a Connector is not necessarily who may read Secrets: so a
// Connector may use only the Secrets its KafkaConnect lists in
// spec.connectorSecrets (the cluster owner's decision), and may not reach
// other files or variables of the worker through raw ${dir:...},
// ${file:...} or ${env:...} placeholders (the worker's own Kafka
// credentials are mounted beside them).
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { secretMount } from './worker-properties.js';

export const SECRET_NOT_ALLOWED = 'SecretNotAllowed';

/** Kafka Connect's placeholder syntax (ConfigTransformer's DEFAULT_PATTERN). */
const PLACEHOLDER = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;
/** Providers of the worker a Connector may not use directly. */
const WORKER_PROVIDERS = new Set(['dir', 'file', 'env']);

export type SealResult =
  | { readonly ok: true; readonly config: Record<string, string>; readonly secrets: string[] }
  | { readonly ok: false; readonly message: string };

/** The config to send the workers, with ${secret:...} turned into ${dir:...}; or why it may not be sent. */
export function sealConnectorSecrets(config: Record<string, string>, kc: KafkaConnect): SealResult {
  const allowed = new Set(kc.spec.connectorSecrets ?? []);
  const mounts = new Map([...allowed].map((s) => [secretMount(s), s]));
  const used = new Set<string>();
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = value.replace(PLACEHOLDER, (whole, provider: string, path: string | undefined, item: string) => {
      if (provider === 'secret') {
        if (path === undefined || path === '' || item === '') {
          problems.push(`${key}: write \${secret:<secret-name>:<key>}`);
        } else if (!allowed.has(path)) {
          problems.push(`${key}: Secret ${path} is not in spec.connectorSecrets of KafkaConnect ${kc.metadata.name}`);
        } else {
          used.add(path);
          return `\${dir:${secretMount(path)}:${item}}`;
        }
        return whole;
      }
      if (provider === 'dir' && path !== undefined && mounts.has(path)) {
        used.add(mounts.get(path)!);
        return whole;
      }
      if (WORKER_PROVIDERS.has(provider))
        problems.push(`${key}: \${${provider}:...} placeholders are not allowed; use \${secret:<secret-name>:<key>}`);
      return whole;
    });
  }
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  return { ok: true, config: out, secrets: [...used].sort() };
}
