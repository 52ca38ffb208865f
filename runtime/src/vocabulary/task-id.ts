// One name for one task of a connector, and one string form of it. Kafka
// Connect's ConnectorTaskId prints as `<connector>-<task>`; that form keys
// the worker's tasks, the config and status topic records (`task-<id>`,
// `status-task-<id>`), client and transactional ids, and messages, so every
// place that needs a task as a string uses taskKey().

/** Kafka Connect's ConnectorTaskId; also its REST shape (`{"connector":..,"task":..}`). */
export interface TaskId {
  readonly connector: string;
  readonly task: number;
}

/** ConnectorTaskId.toString(): `<connector>-<task>`. Unambiguous, as the task number has no dash. */
export const taskKey = (id: TaskId): string => `${id.connector}-${id.task}`;

/** Orders task ids by connector name, then task number. */
export const compareTaskIds = (a: TaskId, b: TaskId): number =>
  a.connector === b.connector ? a.task - b.task : a.connector < b.connector ? -1 : 1;

/** The inverse of taskKey; undefined when `key` does not end in `-<task number>` after a connector name. */
export function parseTaskKey(key: string): TaskId | undefined {
  const dash = key.lastIndexOf('-');
  const task = key.slice(dash + 1);
  if (dash <= 0 || !/^\d+$/.test(task)) return undefined;
  return { connector: key.slice(0, dash), task: Number(task) };
}
