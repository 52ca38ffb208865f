// The connector's state (running, paused, stopped) as spec.state says
// (connector-logic.ts's stateAction), and the status read again after a change.
import { withConnectRetry } from '../../connect/connect-client.js';
import { stateAction } from '../connector-logic.js';
import { need, proceed, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';

export const alignState: Step<ConnectorPass> = {
  name: 'align-state',
  async run(pass) {
    const client = need(pass.client, 'client');
    const status = need(pass.status, 'status');
    const name = pass.cr.metadata.name;
    const action = stateAction(pass.cr, status.connector.state);
    if (action) {
      await withConnectRetry(() => client[action](name));
      pass.status = (await client.connectorStatus(name)) ?? status;
    }
    return proceed;
  },
};
