// How plugins announce themselves. A plugin module (built-in or found under
// `plugin.path`) exports `plugins: PluginDescriptor[]`; the runtime resolves a
// configured class name against each descriptor's `class` and `aliases`.
import type { ConnectorClass } from './connector.js';
import type { ConverterClass, HeaderConverterClass } from './converter.js';
import type { PredicateClass, TransformationClass } from './transform.js';

interface Described {
  /** The fully qualified name users configure, e.g. org.apache.kafka.connect.file.FileStreamSourceConnector */
  readonly class: string;
  /** Other accepted names (Kafka accepts the simple class name and it without "Connector"). */
  readonly aliases?: readonly string[];
  readonly version: string;
}

export type PluginDescriptor =
  | (Described & {
      readonly type: 'source' | 'sink';
      readonly create: ConnectorClass;
      /**
       * The task class name written as `task.class` into every task config,
       * as Kafka Connect does (a worker of Apache Kafka Connect reading the
       * config topic instantiates it). Default: `class` with its trailing
       * "Connector" replaced by "Task" (FileStreamSourceConnector ->
       * FileStreamSourceTask); set it when the Java task class is named
       * otherwise (Debezium's PostgresConnector -> PostgresConnectorTask).
       */
      readonly taskClass?: string;
    })
  | (Described & { readonly type: 'transformation'; readonly create: TransformationClass })
  | (Described & { readonly type: 'predicate'; readonly create: PredicateClass })
  | (Described & { readonly type: 'converter'; readonly create: ConverterClass })
  | (Described & { readonly type: 'header_converter'; readonly create: HeaderConverterClass });

export type PluginType = PluginDescriptor['type'];
