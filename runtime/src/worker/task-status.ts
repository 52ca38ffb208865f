// How a running task reports its lifecycle to whoever records status.
export interface TaskStatusListener {
  running(): void;
  paused(): void;
  resumed(): void;
  failed(error: unknown): void;
  stopped(): void;
}

export type TaskTargetState = 'STARTED' | 'PAUSED';
