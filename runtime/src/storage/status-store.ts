// Connector and task status as the worker last reported it.
import type { ConnectorState } from '../vocabulary/connector.js';

export interface Status {
  state: ConnectorState;
  workerId: string;
  trace?: string;
  generation: number;
  /** the connector's or task's version() (Kafka 4.1+ writes it; absent from older records) */
  version?: string;
}

export interface StatusListener {
  connector(name: string, status: Status): void;
  task(connector: string, task: number, status: Status): void;
}

/** What a herder reads and maintains: the memory store (standalone) or the status topic (distributed). */
export interface StatusStore extends StatusListener {
  getConnector(name: string): Status | undefined;
  getTasks(connector: string): Map<number, Status>;
  dropTasks(connector: string, fromTask?: number): void;
  remove(connector: string): void;
}

export class MemoryStatusStore implements StatusStore {
  private readonly connectors = new Map<string, Status>();
  private readonly tasks = new Map<string, Map<number, Status>>();

  connector(name: string, status: Status): void {
    this.connectors.set(name, status);
  }

  task(connector: string, task: number, status: Status): void {
    let m = this.tasks.get(connector);
    if (!m) this.tasks.set(connector, (m = new Map()));
    m.set(task, status);
  }

  getConnector(name: string): Status | undefined {
    return this.connectors.get(name);
  }

  getTasks(connector: string): Map<number, Status> {
    return this.tasks.get(connector) ?? new Map();
  }

  /** Forget task statuses from `fromTask` on (after a connector shrank its task count). */
  dropTasks(connector: string, fromTask = 0): void {
    const m = this.tasks.get(connector);
    if (!m) return;
    for (const id of [...m.keys()]) if (id >= fromTask) m.delete(id);
  }

  remove(connector: string): void {
    this.connectors.delete(connector);
    this.tasks.delete(connector);
  }
}
