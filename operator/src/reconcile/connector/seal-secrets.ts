// ${secret:...} references in the config become the placeholders of the
// mounted Secrets, if the cluster allows those Secrets
// (model/connector-secrets.ts); a Secret it does not allow is reported.
import { connectorConfig } from '../connector-logic.js';
import { SECRET_NOT_ALLOWED, sealConnectorSecrets } from '../../model/connector-secrets.js';
import { need, proceed, requeueAfter, type Step } from '../steps.js';
import { RESYNC_MS, type ConnectorPass } from './pass.js';
import { clusterFields, reportNotReady } from './report.js';

export const sealSecrets: Step<ConnectorPass> = {
  name: 'seal-secrets',
  async run(pass) {
    const sealed = sealConnectorSecrets(connectorConfig(pass.cr), need(pass.cluster, 'cluster'));
    if (!sealed.ok) {
      await pass.deps.events.warning(pass.cr, SECRET_NOT_ALLOWED, sealed.message);
      await reportNotReady(pass, SECRET_NOT_ALLOWED, sealed.message, clusterFields(pass));
      return requeueAfter(RESYNC_MS);
    }
    pass.wanted = sealed.config;
    pass.secrets = sealed.secrets;
    return proceed;
  },
};
