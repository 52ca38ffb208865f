// Single message transforms and the predicates that gate them.
import type { ConfigDef } from './config-def.js';
import type { ConnectRecord } from './record.js';

export type PluginProps = Record<string, string>;

export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  configure(props: PluginProps): void;
  /** The transformed record, or null to drop it. */
  apply(record: R): R | null;
  config(): ConfigDef;
  close?(): void;
}

export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  configure(props: PluginProps): void;
  test(record: R): boolean;
  config(): ConfigDef;
  close?(): void;
}

export type TransformationClass = new () => Transformation;
export type PredicateClass = new () => Predicate;
