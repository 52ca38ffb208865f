// The connector's config on the workers: created with the desired initial
// state, or PUT only when it drifted; never before every worker has the
// Secrets it uses mounted (secret-mounts.ts). An invalid config is reported
// with Kafka Connect's validation errors; nothing to retry until the spec changes.
import { ConnectApiError, withConnectRetry } from '../../connect/connect-client.js';
import { initialState, sameConfig } from '../connector-logic.js';
import { secretsMounted } from '../secret-mounts.js';
import { need, proceed, requeueAfter, type Step } from '../steps.js';
import { RESYNC_MS, UNSETTLED_MS, type ConnectorPass } from './pass.js';
import { clusterFields, reportNotReady } from './report.js';

export const syncConfig: Step<ConnectorPass> = {
  name: 'sync-config',
  async run(pass) {
    const { deps, cr } = pass;
    const cluster = need(pass.cluster, 'cluster');
    const client = need(pass.client, 'client');
    const wanted = need(pass.wanted, 'wanted');
    const secrets = need(pass.secrets, 'secrets');
    const name = cr.metadata.name;
    try {
      const live = await withConnectRetry(() => client.connectorConfig(name));
      if ((live === null || !sameConfig(live, wanted)) && !secretsMounted(deps, cluster, secrets)) {
        await reportNotReady(
          pass,
          'WaitingForSecretMount',
          `Waiting for the workers of ${cluster.metadata.name} to run with Secret(s) ${secrets.join(', ')} mounted`,
          clusterFields(pass),
        );
        return requeueAfter(UNSETTLED_MS);
      }
      if (live === null) {
        await withConnectRetry(() => client.createConnector(name, wanted, initialState(cr)));
        await deps.events.normal(cr, 'Created', `Created connector ${name} on ${cluster.metadata.name}`);
      } else if (!sameConfig(live, wanted)) {
        await withConnectRetry(() => client.putConnectorConfig(name, wanted));
        await deps.events.normal(cr, 'Updated', `Updated the configuration of connector ${name}`);
      }
    } catch (err) {
      if (err instanceof ConnectApiError && err.status === 400) {
        await deps.events.warning(cr, 'InvalidConfig', err.message);
        await reportNotReady(pass, 'InvalidConfig', err.detail, clusterFields(pass));
        return requeueAfter(RESYNC_MS);
      }
      throw err;
    }
    return proceed;
  },
};
