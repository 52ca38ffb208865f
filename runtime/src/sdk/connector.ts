// Connectors: they split work into task configs; the framework runs the tasks.
import type { ConfigDef, ConfigValue } from './config-def.js';
import type { SourcePartition, SourceOffset } from './record.js';
import type { SinkTaskClass, SourceTaskClass } from './task.js';

export type ConnectorProps = Record<string, string>;

/** What the framework offers a running connector. */
export interface ConnectorContext {
  /** Ask the framework to call taskConfigs() again (e.g. the source's tables changed). */
  requestTaskReconfiguration(): void;
  /** Fail the connector with this error. */
  raiseError(err: Error): void;
}

export interface Connector {
  version(): string;
  /** The keys this connector accepts; feeds REST validation and the plugin config endpoint. */
  config(): ConfigDef;
  /**
   * Extra validation beyond the ConfigDef (Kafka's Connector.validate). The
   * default is the ConfigDef's own; override to add cross-field checks.
   */
  validate?(props: ConnectorProps): ConfigValue[];
  /**
   * Checks that need the outside world (Debezium's validateConnection: can
   * the database be reached with these credentials?), run only by
   * PUT /connector-plugins/{p}/config/validate, after validate(). Adds
   * errors to `values` (the connector's own keys, as validate() returned
   * them); a throw is reported on the first key. Bounded by the framework.
   */
  validateConnection?(props: ConnectorProps, values: ConfigValue[]): Promise<void>;
  start(props: ConnectorProps, context: ConnectorContext): void | Promise<void>;
  taskConfigs(maxTasks: number): ConnectorProps[] | Promise<ConnectorProps[]>;
  stop(): void | Promise<void>;
}

export interface SourceConnector extends Connector {
  readonly type: 'source';
  taskClass(): SourceTaskClass;
  /** 'SUPPORTED' when the connector can run with exactly.once.support=required */
  exactlyOnceSupport?(props: ConnectorProps): 'SUPPORTED' | 'UNSUPPORTED';
  /**
   * Called before the framework alters offsets (PATCH/DELETE /offsets). Throw
   * to reject; return true when the connector itself took care of them.
   */
  alterOffsets?(props: ConnectorProps, offsets: Map<SourcePartition, SourceOffset | null>): boolean | Promise<boolean>;
}

export interface SinkConnector extends Connector {
  readonly type: 'sink';
  taskClass(): SinkTaskClass;
  alterOffsets?(
    props: ConnectorProps,
    offsets: Map<{ topic: string; partition: number }, number | null>,
  ): boolean | Promise<boolean>;
}

export type AnyConnector = SourceConnector | SinkConnector;
export type ConnectorClass = new () => AnyConnector;
