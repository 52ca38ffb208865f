// The KafkaConnect the Connector names must exist; until it does the
// Connector is not ready (and is reconciled again as soon as it appears).
import { selectorLabels, selectorString } from '../../model/labels.js';
import { proceed, requeueAfter, type Step } from '../steps.js';
import { CLUSTER_WAIT_MS, type ConnectorPass } from './pass.js';
import { reportNotReady } from './report.js';

export const requireCluster: Step<ConnectorPass> = {
  name: 'require-cluster',
  async run(pass) {
    const { cr, cluster } = pass;
    if (!cluster) {
      await reportNotReady(
        pass,
        'ClusterNotFound',
        `KafkaConnect ${cr.spec.clusterRef.name} does not exist in namespace ${cr.metadata.namespace}`,
      );
      return requeueAfter(CLUSTER_WAIT_MS);
    }
    pass.labelSelector = selectorString(selectorLabels(cluster.metadata.name));
    return proceed;
  },
};
