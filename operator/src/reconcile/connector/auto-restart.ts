// Failed connectors and tasks are restarted with a backoff and a counter
// (connector-logic.ts's autoRestart). The counters come from the latest
// status, not from a cache that may not have seen our last write yet (it
// would restart too early and count wrong).
import type { Connector } from '../../api/v1alpha1/index.js';
import { CONNECTORS } from '../../api/v1alpha1/index.js';
import { withConnectRetry } from '../../connect/connect-client.js';
import { objectPath } from '../../kube/index.js';
import { autoRestart as decide, isFailed } from '../connector-logic.js';
import type { ReconcileDeps } from '../deps.js';
import { need, proceed, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';

export const autoRestart: Step<ConnectorPass> = {
  name: 'auto-restart',
  async run(pass) {
    const { deps, cr } = pass;
    const client = need(pass.client, 'client');
    const status = need(pass.status, 'status');
    const current = isFailed(status) ? await readConnector(deps, cr) : cr;
    const restart = decide(current, status, deps.now(), deps.restartUnitMs);
    if (restart.restart) {
      await withConnectRetry(() => client.restartConnector(cr.metadata.name, { includeTasks: true, onlyFailed: true }));
      await deps.events.warning(cr, 'AutoRestarted', `Restarted failed connector/tasks (restart ${restart.count})`);
    }
    pass.restart = restart;
    return proceed;
  },
};

async function readConnector(deps: ReconcileDeps, cr: Connector): Promise<Connector> {
  try {
    return await deps.rest.request<Connector>({
      method: 'GET',
      path: objectPath(CONNECTORS, cr.metadata.namespace, cr.metadata.name),
    });
  } catch {
    return cr;
  }
}
