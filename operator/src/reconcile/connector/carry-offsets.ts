// The connector's source offsets kept across a mode or runtime switch
// (offsets-handoff.ts): applied while it is stopped, before it runs, then
// removed from the hand-off ConfigMap. Right after a switch (the memory saw
// another mode, or the other mode's workload) the cache may not have seen
// the ConfigMap yet (a different watch than the workloads'): then the
// apiserver is asked.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { withConnectRetry } from '../../connect/connect-client.js';
import { CONFIG_MAPS, errorCode, objectPath } from '../../kube/index.js';
import { names } from '../../model/names.js';
import { resolvedMode } from '../../model/spec.js';
import { handedOffOffsets, stopAndWait } from '../offsets-handoff.js';
import { need, proceed, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';

export const carryOffsets: Step<ConnectorPass> = {
  name: 'carry-offsets',
  async run(pass) {
    const { deps, cr, memory } = pass;
    const cluster = need(pass.cluster, 'cluster');
    const client = need(pass.client, 'client');
    const wanted = need(pass.wanted, 'wanted');
    const mode = resolvedMode(cluster);
    const switched = memory.lastMode !== undefined && memory.lastMode !== mode;
    memory.lastMode = mode;
    const name = cr.metadata.name;
    const cmName = names.offsetsHandoff(cluster.metadata.name);
    const cm = switched
      ? await deps.rest
          .request<V1ConfigMap>({ method: 'GET', path: objectPath(CONFIG_MAPS, cr.metadata.namespace, cmName) })
          .catch((err: unknown) => {
            if (errorCode(err) === 404) return undefined;
            throw err;
          })
      : (deps.configMaps.get(cr.metadata.namespace, cmName) as V1ConfigMap | undefined);
    const carried = handedOffOffsets(cm, name);
    if (!carried) return proceed;
    const live = await withConnectRetry(() => client.connectorConfig(name));
    if (live === null) await withConnectRetry(() => client.createConnector(name, wanted, 'STOPPED'));
    else await stopAndWait(client, name);
    if (carried.offsets.length > 0) await withConnectRetry(() => client.alterOffsets(name, carried));
    await deps.rest.request({
      method: 'PATCH',
      path: objectPath(CONFIG_MAPS, cr.metadata.namespace, cmName),
      body: { data: { [name]: null } },
      contentType: 'application/merge-patch+json',
    });
    await deps.events.normal(
      cr,
      'OffsetsCarried',
      `Carried ${carried.offsets.length} source offset(s) over from the previous mode of ${cluster.metadata.name}`,
    );
    return proceed;
  },
};
