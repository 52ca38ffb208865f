// The connector's status as its workers report it; none yet (just created,
// a rebalance under way): look again shortly.
import { withConnectRetry } from '../../connect/connect-client.js';
import { need, proceed, requeueAfter, type Step } from '../steps.js';
import { UNSETTLED_MS, type ConnectorPass } from './pass.js';

export const readStatus: Step<ConnectorPass> = {
  name: 'read-status',
  async run(pass) {
    const client = need(pass.client, 'client');
    const status = await withConnectRetry(() => client.connectorStatus(pass.cr.metadata.name));
    if (!status) return requeueAfter(UNSETTLED_MS);
    pass.status = status;
    return proceed;
  },
};
