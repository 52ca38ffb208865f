// The REST certificates exist before the pods that mount them
// (tls/rest-tls-manager.ts). Secrets of their names that are not ours are a
// conflict; a refusal is reported; a transient error retries the pass.
import { errorCode } from '../../kube/index.js';
import { ForeignSecretsError, messageOf } from '../../errors.js';
import { restTlsEnabled } from '../../model/rest-tls.js';
import { proceed, type Step } from '../steps.js';
import type { ClusterPass } from './pass.js';

export const ensureRestCertificates: Step<ClusterPass> = {
  name: 'ensure-rest-certificates',
  async run(pass) {
    const { deps, kc } = pass;
    if (!deps.restTls || !restTlsEnabled(kc)) return proceed;
    try {
      pass.tlsRecheckMs = await deps.restTls.ensure(kc);
    } catch (err) {
      const code = errorCode(err);
      if (err instanceof ForeignSecretsError) pass.conflicts.push(...err.objects);
      else if (code === undefined || code >= 500 || code === 409) throw err;
      else pass.failures.push(`REST certificates: ${messageOf(err)}`);
      deps.logger.warn('REST certificates not written', { cluster: pass.key, code, error: messageOf(err) });
    }
    return proceed;
  },
};
