// `sluice.dev/offsets: list` writes the offsets to ConfigMap <name>-offsets
// (key offsets.json, model/offsets-config-maps.ts); `alter` applies that
// ConfigMap; `reset` deletes them. alter and reset need state: stopped
// (Kafka Connect's rule). Done once, then the annotation is removed; what
// happened is the Ready condition's message of this pass.
import { ConnectApiError } from '../../connect/connect-client.js';
import { messageOf } from '../../errors.js';
import { CONFIG_MAPS, objectPath } from '../../kube/index.js';
import { CONNECTOR_LABEL, OFFSETS_ANNOTATION } from '../../model/labels.js';
import { names } from '../../model/names.js';
import { connectorOffsetsConfigMap } from '../../model/offsets-config-maps.js';
import { need, proceed, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';
import { patchMeta } from './report.js';

export const offsetsOnDemand: Step<ConnectorPass> = {
  name: 'offsets-on-demand',
  async run(pass) {
    const { deps, cr } = pass;
    const op = cr.metadata.annotations?.[OFFSETS_ANNOTATION];
    if (!op) return proceed;
    const client = need(pass.client, 'client');
    const cluster = need(pass.cluster, 'cluster');
    const cmName = names.connectorOffsets(cr.metadata.name);
    let note: string;
    try {
      if (op === 'list') {
        const offsets = await client.offsets(cr.metadata.name);
        // Never over someone else's ConfigMap of that name (ownership.ts): ours carry the connector label.
        const existing = await deps.applier.get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: cr.metadata.namespace,
          name: cmName,
        });
        if (existing && existing.metadata?.labels?.[CONNECTOR_LABEL] !== cr.metadata.name)
          throw new Error(
            `ConfigMap ${cmName} already exists and was not written for connector ${cr.metadata.name}: left unchanged`,
          );
        await deps.applier.apply(
          connectorOffsetsConfigMap(cr.metadata.name, cr.metadata.namespace, cluster.metadata.name, offsets),
        );
        note = `Offsets listed in ConfigMap ${cmName}`;
      } else if (op === 'alter') {
        const cm = await deps.rest.request<{ data?: Record<string, string> }>({
          method: 'GET',
          path: objectPath(CONFIG_MAPS, cr.metadata.namespace, cmName),
        });
        note = await client.alterOffsets(cr.metadata.name, JSON.parse(cm.data?.['offsets.json'] ?? '{"offsets":[]}'));
      } else if (op === 'reset') {
        note = await client.resetOffsets(cr.metadata.name);
      } else {
        note = `Unknown ${OFFSETS_ANNOTATION} value "${op}" (list, alter or reset)`;
      }
      await deps.events.normal(cr, 'Offsets', note);
    } catch (err) {
      note = `Offsets ${op} failed: ${err instanceof ConnectApiError ? err.detail : messageOf(err)}`;
      await deps.events.warning(cr, 'OffsetsFailed', note);
    }
    await patchMeta(deps, cr, { annotations: { [OFFSETS_ANNOTATION]: null } });
    pass.offsetsNote = note;
    return proceed;
  },
};
