// Draining (POST /admin/drain): the worker rejoins flagged as draining and
// the leader gives it nothing, so its work moves before a scale-down removes
// it (docs/distributed-protocol.md). DELETE takes work again.
import type { Logger } from '../../util/logging.js';

export interface DrainStatus {
  draining: boolean;
  /** true once a draining worker holds no work and no rebalance is under way */
  drained: boolean;
  connectors: number;
  tasks: number;
}

export class Drain {
  private on = false;

  constructor(
    private readonly log: Logger,
    private readonly rejoin: (reason: string) => void,
  ) {}

  get draining(): boolean {
    return this.on;
  }

  start(): void {
    if (this.on) return;
    this.on = true;
    this.log.info('Draining: handing all work to the other workers');
    this.rejoin('drain requested');
  }

  cancel(): void {
    if (!this.on) return;
    this.on = false;
    this.log.info('Drain cancelled: taking work again');
    this.rejoin('drain cancelled');
  }

  status(held: { connectors: number; tasks: number }, rebalancing: boolean): DrainStatus {
    const { connectors, tasks } = held;
    return {
      draining: this.on,
      drained: this.on && !rebalancing && connectors === 0 && tasks === 0,
      connectors,
      tasks,
    };
  }
}
