// `sluice.dev/restart` (includeTasks, onlyFailed) and `sluice.dev/restart-task`
// (a task id): done once, then the annotations are removed.
import { withConnectRetry } from '../../connect/connect-client.js';
import { RESTART_ANNOTATION, RESTART_TASK_ANNOTATION } from '../../model/labels.js';
import { need, proceed, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';
import { patchMeta } from './report.js';

export const restartOnDemand: Step<ConnectorPass> = {
  name: 'restart-on-demand',
  async run({ deps, cr, client: maybeClient }) {
    const annotations = cr.metadata.annotations ?? {};
    const restart = annotations[RESTART_ANNOTATION];
    const task = annotations[RESTART_TASK_ANNOTATION];
    if (restart === undefined && task === undefined) return proceed;
    const client = need(maybeClient, 'client');
    if (restart !== undefined) {
      const flags = restart.split(',').map((s) => s.trim());
      await withConnectRetry(() =>
        client.restartConnector(cr.metadata.name, {
          includeTasks: flags.includes('includeTasks'),
          onlyFailed: flags.includes('onlyFailed'),
        }),
      );
    }
    if (task !== undefined && /^\d+$/.test(task))
      await withConnectRetry(() => client.restartTask(cr.metadata.name, Number(task)));
    await patchMeta(deps, cr, { annotations: { [RESTART_ANNOTATION]: null, [RESTART_TASK_ANNOTATION]: null } });
    return proceed;
  },
};
