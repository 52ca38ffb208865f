// The objects the cluster should own now (model/desired.ts), built once with
// everything they depend on, including the StatefulSet's size while its
// departing workers drain.
import { desired } from '../../model/desired.js';
import { proceed, type Step } from '../steps.js';
import type { ClusterPass } from './pass.js';

export const buildDesired: Step<ClusterPass> = {
  name: 'build-desired',
  async run(pass) {
    pass.desired = desired(pass.kc, pass.deps.settings, { workerReplicas: pass.drainingAt });
    return proceed;
  },
};
