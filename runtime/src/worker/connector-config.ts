// The framework's connector keys (Kafka's ConnectorConfig, SinkConnectorConfig
// and SourceConnectorConfig): everything a connector config may hold besides
// the connector's own keys. Names, order, defaults, groups, widths, display
// names and documentation are Kafka 4.3.1's, as its REST API lists them
// (GET /connector-plugins/<p>/config, PUT .../config/validate).
import { ConfigDef, NO_DEFAULT, Validators, type ConfigKey } from '../sdk/index.js';

const k = (key: ConfigKey) => key;

export function connectorConfigDef(type: 'source' | 'sink' | 'unknown'): ConfigDef {
  const def = new ConfigDef()
    .define(
      k({
        name: 'name',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        group: 'Common',
        orderInGroup: 1,
        width: 'MEDIUM',
        displayName: 'Connector name',
        validator: Validators.nonEmptyString(),
        documentation: 'Globally unique name to use for this connector.',
      }),
    )
    .define(
      k({
        name: 'connector.class',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        group: 'Common',
        orderInGroup: 2,
        width: 'LONG',
        displayName: 'Connector class',
        documentation:
          'Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use "FileStreamSink" or "FileStreamSinkConnector" to make the configuration a bit shorter',
      }),
    )
    .define(
      k({
        name: 'connector.plugin.version',
        type: 'STRING',
        defaultValue: null,
        importance: 'MEDIUM',
        group: 'Common',
        orderInGroup: 3,
        width: 'MEDIUM',
        displayName: 'Connector version',
        documentation: 'Version of the connector.',
      }),
    )
    .define(
      k({
        name: 'tasks.max',
        type: 'INT',
        defaultValue: 1,
        importance: 'HIGH',
        group: 'Common',
        orderInGroup: 4,
        width: 'SHORT',
        displayName: 'Tasks max',
        validator: Validators.atLeast(1),
        documentation: 'Maximum number of tasks to use for this connector.',
      }),
    )
    .define(
      k({
        name: 'tasks.max.enforce',
        type: 'BOOLEAN',
        defaultValue: true,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 5,
        width: 'SHORT',
        displayName: 'Enforce tasks max',
        documentation:
          '(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.',
      }),
    )
    .define(
      k({
        name: 'key.converter',
        type: 'CLASS',
        defaultValue: null,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 6,
        width: 'SHORT',
        displayName: 'Key converter class',
        documentation:
          'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.',
      }),
    )
    .define(
      k({
        name: 'key.converter.plugin.version',
        type: 'STRING',
        defaultValue: null,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 7,
        width: 'SHORT',
        displayName: 'Key converter version',
        documentation: 'Version of the key converter.',
      }),
    )
    .define(
      k({
        name: 'value.converter',
        type: 'CLASS',
        defaultValue: null,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 8,
        width: 'SHORT',
        displayName: 'Value converter class',
        documentation:
          'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.',
      }),
    )
    .define(
      k({
        name: 'value.converter.plugin.version',
        type: 'STRING',
        defaultValue: null,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 9,
        width: 'SHORT',
        displayName: 'Value converter version',
        documentation: 'Version of the value converter.',
      }),
    )
    .define(
      k({
        name: 'header.converter',
        type: 'CLASS',
        defaultValue: null,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 10,
        width: 'SHORT',
        displayName: 'Header converter class',
        documentation:
          'HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.',
      }),
    )
    .define(
      k({
        name: 'header.converter.plugin.version',
        type: 'STRING',
        defaultValue: null,
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 11,
        width: 'SHORT',
        displayName: 'Header converter version',
        documentation: 'Version of the header converter.',
      }),
    )
    .define(
      k({
        name: 'transforms',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        group: 'Transforms',
        orderInGroup: 12,
        width: 'LONG',
        displayName: 'Transforms',
        documentation: 'Aliases for the transformations to be applied to records.',
      }),
    )
    .define(
      k({
        name: 'predicates',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        group: 'Predicates',
        orderInGroup: 13,
        width: 'LONG',
        displayName: 'Predicates',
        documentation: 'Aliases for the predicates used by transformations.',
      }),
    )
    .define(
      k({
        name: 'config.action.reload',
        type: 'STRING',
        defaultValue: 'restart',
        importance: 'LOW',
        group: 'Common',
        orderInGroup: 14,
        width: 'MEDIUM',
        displayName: 'Reload Action',
        validator: Validators.oneOf('none', 'restart'),
        documentation:
          "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future.",
      }),
    )
    .define(
      k({
        name: 'errors.retry.timeout',
        type: 'LONG',
        defaultValue: 0,
        importance: 'MEDIUM',
        group: 'Error Handling',
        orderInGroup: 1,
        width: 'MEDIUM',
        displayName: 'Retry Timeout for Errors',
        documentation:
          'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
      }),
    )
    .define(
      k({
        name: 'errors.retry.delay.max.ms',
        type: 'LONG',
        defaultValue: 60000,
        importance: 'MEDIUM',
        group: 'Error Handling',
        orderInGroup: 2,
        width: 'MEDIUM',
        displayName: 'Maximum Delay Between Retries for Errors',
        documentation:
          'The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
      }),
    )
    .define(
      k({
        name: 'errors.tolerance',
        type: 'STRING',
        defaultValue: 'none',
        importance: 'MEDIUM',
        group: 'Error Handling',
        orderInGroup: 3,
        width: 'SHORT',
        displayName: 'Error Tolerance',
        validator: Validators.oneOf('none', 'all'),
        documentation:
          "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
      }),
    )
    .define(
      k({
        name: 'errors.log.enable',
        type: 'BOOLEAN',
        defaultValue: false,
        importance: 'MEDIUM',
        group: 'Error Handling',
        orderInGroup: 4,
        width: 'SHORT',
        displayName: 'Log Errors',
        documentation:
          "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
      }),
    )
    .define(
      k({
        name: 'errors.log.include.messages',
        type: 'BOOLEAN',
        defaultValue: false,
        importance: 'MEDIUM',
        group: 'Error Handling',
        orderInGroup: 5,
        width: 'SHORT',
        displayName: 'Log Error Details',
        documentation:
          "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
      }),
    );
  if (type === 'sink') {
    def
      .define(
        k({
          name: 'topics',
          type: 'LIST',
          defaultValue: [],
          importance: 'HIGH',
          group: 'Common',
          orderInGroup: 4,
          width: 'LONG',
          displayName: 'Topics',
          documentation: 'List of topics to consume, separated by commas',
        }),
      )
      .define(
        k({
          name: 'topics.regex',
          type: 'STRING',
          defaultValue: '',
          importance: 'HIGH',
          group: 'Common',
          orderInGroup: 4,
          width: 'LONG',
          displayName: 'Topics regex',
          validator: Validators.regex(),
          documentation:
            'Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.',
        }),
      )
      .define(
        k({
          name: 'errors.deadletterqueue.topic.name',
          type: 'STRING',
          defaultValue: '',
          importance: 'MEDIUM',
          group: 'Error Handling',
          orderInGroup: 6,
          width: 'MEDIUM',
          displayName: 'Dead Letter Queue Topic Name',
          documentation:
            'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
        }),
      )
      .define(
        k({
          name: 'errors.deadletterqueue.topic.replication.factor',
          type: 'SHORT',
          defaultValue: 3,
          importance: 'MEDIUM',
          group: 'Error Handling',
          orderInGroup: 7,
          width: 'MEDIUM',
          displayName: 'Dead Letter Queue Topic Replication Factor',
          documentation: "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
        }),
      )
      .define(
        k({
          name: 'errors.deadletterqueue.context.headers.enable',
          type: 'BOOLEAN',
          defaultValue: false,
          importance: 'MEDIUM',
          group: 'Error Handling',
          orderInGroup: 8,
          width: 'MEDIUM',
          displayName: 'Enable Error Context Headers',
          documentation:
            'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>',
        }),
      );
  }
  if (type === 'source') {
    def
      .define(
        k({
          name: 'topic.creation.groups',
          type: 'LIST',
          defaultValue: [],
          importance: 'LOW',
          group: 'Topic Creation',
          orderInGroup: 1,
          width: 'LONG',
          displayName: 'Topic Creation Groups',
          documentation: 'Groups of configurations for topics created by source connectors',
        }),
      )
      .define(
        k({
          name: 'exactly.once.support',
          type: 'STRING',
          defaultValue: 'requested',
          importance: 'MEDIUM',
          group: 'Exactly Once Support',
          orderInGroup: 2,
          width: 'SHORT',
          displayName: 'Exactly once support',
          validator: Validators.oneOf('requested', 'required'),
          documentation:
            'Permitted values are requested, required. If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to "requested". Additionally, if the value is set to "required" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.',
        }),
      )
      .define(
        k({
          name: 'transaction.boundary',
          type: 'STRING',
          defaultValue: 'poll',
          importance: 'MEDIUM',
          group: 'Exactly Once Support',
          orderInGroup: 3,
          width: 'SHORT',
          displayName: 'Transaction Boundary',
          validator: Validators.oneOf('poll', 'interval', 'connector'),
          documentation:
            "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.",
        }),
      )
      .define(
        k({
          name: 'transaction.boundary.interval.ms',
          type: 'LONG',
          defaultValue: null,
          importance: 'LOW',
          group: 'Exactly Once Support',
          orderInGroup: 4,
          width: 'SHORT',
          displayName: 'Transaction boundary interval',
          validator: Validators.atLeast(0),
          documentation:
            "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.",
        }),
      )
      .define(
        k({
          name: 'offsets.storage.topic',
          type: 'STRING',
          defaultValue: null,
          importance: 'LOW',
          group: 'offsets.topic',
          orderInGroup: 1,
          width: 'LONG',
          displayName: 'Offsets topic',
          documentation:
            "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.",
        }),
      );
  }
  return def;
}

/**
 * transaction.boundary=connector lets a task decide where transactions end
 * (Kafka's TransactionContext); the SDK has no such context, so no connector
 * can define its boundaries here.
 */
export const TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED =
  'The connector does not support connector-defined transaction boundaries with the given configuration ' +
  '(this runtime has no transaction context for tasks yet). Please reconfigure it to use a different transaction ' +
  'boundary definition (poll or interval).';

/** Checks that a sink names its topics in exactly one way (Kafka's SinkConnectorConfig.validate). */
export function sinkTopicsError(config: Record<string, string>): string | undefined {
  const hasTopics = (config['topics'] ?? '').trim() !== '';
  const hasRegex = (config['topics.regex'] ?? '').trim() !== '';
  if (hasTopics && hasRegex) return 'topics and topics.regex are mutually exclusive options, but both are set.';
  if (!hasTopics && !hasRegex) return 'Must configure one of topics or topics.regex';
  const dlq = (config['errors.deadletterqueue.topic.name'] ?? '').trim();
  if (
    dlq &&
    hasTopics &&
    config['topics']!.split(',')
      .map((t) => t.trim())
      .includes(dlq)
  ) {
    return `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=...') consumed by the connector`;
  }
  return undefined;
}
