// Health of the cluster's REST API, shared by its connectors
// (connect/cluster-gate.ts): a cluster that hangs or fails answers at once
// for all of them instead of costing each a timeout. Requests that find the
// cluster in trouble are remembered there too. Not ready: look again later,
// backing off per connector, without holding a reconcile slot.
import { need, proceed, requeueAfter, type Step } from '../steps.js';
import { CLUSTER_WAIT_MS, type ConnectorPass } from './pass.js';
import { clusterFields, reportNotReady } from './report.js';

/** Connectors of a cluster whose workers stay unreachable look again less and less often, up to this. */
const CLUSTER_WAIT_MAX_MS = 60_000;

export const probeCluster: Step<ConnectorPass> = {
  name: 'probe-cluster',
  async run(pass) {
    const { deps, memory } = pass;
    const cluster = need(pass.cluster, 'cluster');
    const client = deps.clusterGate.guard(cluster, deps.connectFor(cluster));
    const verdict = await deps.clusterGate.probe(cluster, client);
    if (verdict.state === 'pending')
      return requeueAfter(Math.min(verdict.retryInMs * 2 ** memory.clusterWaits++, CLUSTER_WAIT_MAX_MS));
    if (verdict.state === 'unhealthy') {
      await reportNotReady(
        pass,
        'ClusterNotReady',
        `The workers of KafkaConnect ${cluster.metadata.name} are not reachable yet`,
        clusterFields(pass),
      );
      // Any change of the KafkaConnect (e.g. its workers becoming ready) re-queues its
      // connectors at once; the timer only covers what no event reports.
      return requeueAfter(Math.min(CLUSTER_WAIT_MS * 2 ** memory.clusterWaits++, CLUSTER_WAIT_MAX_MS));
    }
    memory.clusterWaits = 0;
    pass.client = client;
    return proceed;
  },
};
