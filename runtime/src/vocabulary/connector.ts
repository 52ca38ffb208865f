// The words every layer of the runtime uses for a connector: its config, the
// state it should be in (persisted with the config) and the state it reports.
// They live below herder/, storage/ and worker/ so that none of those has to
// import a layer above it to name a connector's state.

/** A connector's (or a task's) configuration: Kafka Connect's string map. */
export type ConnectorConfig = Record<string, string>;

/** Desired state persisted with the config (Kafka's TargetState). */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

/** The state a connector or task reports (Kafka's AbstractStatus.State). */
export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export type ConnectorType = 'source' | 'sink' | 'unknown';

/** A sink connector's consumer group (Apache's SinkUtils.consumerGroupId): its override, else connect-<name>. */
export function sinkGroupId(name: string, config: ConnectorConfig): string {
  return config['consumer.override.group.id'] ?? `connect-${name}`;
}
