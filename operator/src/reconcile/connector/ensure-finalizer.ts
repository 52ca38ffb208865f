// A live Connector carries the finalizer, so its delete waits until the
// workers have deleted the connector too (finalize-deletion.ts).
import { CONNECTOR_FINALIZER } from '../../model/labels.js';
import { proceed, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';
import { patchMeta } from './report.js';

export const ensureFinalizer: Step<ConnectorPass> = {
  name: 'ensure-finalizer',
  async run({ deps, cr }) {
    if (!cr.metadata.finalizers?.includes(CONNECTOR_FINALIZER))
      await patchMeta(deps, cr, { finalizers: [...(cr.metadata.finalizers ?? []), CONNECTOR_FINALIZER] });
    return proceed;
  },
};
