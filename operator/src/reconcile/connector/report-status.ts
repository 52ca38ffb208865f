// Status, once: the workers' view of the connector mirrored, its topics,
// the restart counters and Ready; then when to look again (sooner while it
// is not ready or a restart is due).
import type { ConnectorStatus as CrStatus } from '../../api/v1alpha1/index.js';
import { mirroredStatus, readiness } from '../connector-logic.js';
import { readyCondition, setCondition } from '../conditions.js';
import { need, requeueAfter, type Step } from '../steps.js';
import { RESYNC_MS, UNSETTLED_MS, type ConnectorPass } from './pass.js';
import { writeStatus } from './report.js';

export const reportStatus: Step<ConnectorPass> = {
  name: 'report-status',
  async run(pass) {
    const { deps, cr } = pass;
    const client = need(pass.client, 'client');
    const status = need(pass.status, 'status');
    const restart = need(pass.restart, 'restart');
    const topics = await client.topics(cr.metadata.name).catch(() => undefined);
    const r = readiness(cr, status);
    const next: CrStatus = {
      ...mirroredStatus(cr, status, topics),
      observedGeneration: cr.metadata.generation,
      labelSelector: pass.labelSelector,
      autoRestart: {
        count: restart.count,
        ...(restart.lastRestartTime ? { lastRestartTime: restart.lastRestartTime } : {}),
      },
      conditions: setCondition(
        cr.status?.conditions,
        readyCondition(r.ready, r.reason, pass.offsetsNote ?? r.message, cr.metadata.generation),
        deps.now(),
      ),
    };
    await writeStatus(deps, cr, next);
    if (restart.requeueAfterMs !== undefined) return requeueAfter(restart.requeueAfterMs);
    return requeueAfter(r.ready && !restart.restart ? RESYNC_MS : UNSETTLED_MS);
  },
};
