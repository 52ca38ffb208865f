// One connector instance on this worker (Kafka's WorkerConnector): started
// while its target state is STARTED, stopped otherwise, status reported.
import type { AnyConnector, ConnectorProps } from '../sdk/index.js';
import type { Logger } from '../util/logging.js';
import type { TargetState } from '../vocabulary/connector.js';

export interface ConnectorStatusListener {
  running(): void;
  paused(): void;
  stopped(): void;
  failed(error: unknown): void;
  /** this worker let go of the connector (Apache's onShutdown: UNASSIGNED) */
  unassigned(): void;
}

export class WorkerConnector {
  private started = false;
  private state: TargetState;

  constructor(
    readonly name: string,
    readonly connector: AnyConnector,
    private readonly props: ConnectorProps,
    initial: TargetState,
    private readonly status: ConnectorStatusListener,
    private readonly onReconfigure: () => void,
    private readonly log: Logger,
  ) {
    this.state = initial;
  }

  get type(): 'source' | 'sink' {
    return this.connector.type;
  }

  get running(): boolean {
    return this.started;
  }

  async initialize(): Promise<void> {
    await this.transitionTo(this.state, true);
  }

  async transitionTo(state: TargetState, force = false): Promise<void> {
    if (!force && state === this.state) return;
    this.state = state;
    if (state === 'STARTED') {
      if (!this.started) await this.doStart();
      if (this.started) this.status.running();
    } else {
      await this.doStop();
      if (state === 'PAUSED') this.status.paused();
      else this.status.stopped();
    }
  }

  async taskConfigs(maxTasks: number): Promise<ConnectorProps[]> {
    return this.connector.taskConfigs(maxTasks);
  }

  /** Stops the connector for good on this worker and reports UNASSIGNED, as Apache's WorkerConnector does. */
  async shutdown(): Promise<void> {
    await this.doStop();
    this.status.unassigned();
  }

  private async doStart(): Promise<void> {
    try {
      await this.connector.start(this.props, {
        requestTaskReconfiguration: () => this.onReconfigure(),
        raiseError: (err) => {
          this.log.error('Connector raised an error', { error: err.message });
          void this.doStop().finally(() => this.status.failed(err));
        },
      });
      this.started = true;
    } catch (err) {
      this.log.error('Failed to start connector', { error: err instanceof Error ? err.message : String(err) });
      this.status.failed(err);
    }
  }

  private async doStop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    try {
      await this.connector.stop();
    } catch (err) {
      this.log.warn('Error while stopping connector', { error: (err as Error).message });
    }
  }
}
