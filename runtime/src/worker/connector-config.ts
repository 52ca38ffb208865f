// The framework's connector keys (Kafka's ConnectorConfig and
// SinkConnectorConfig): everything a connector config may hold besides the
// connector's own keys.
import { ConfigDef, NO_DEFAULT, Validators, type ConfigKey } from '../sdk/index.js';

const k = (key: ConfigKey) => key;
const COMMON = 'Common';
const ERRORS = 'Error Handling';

export function connectorConfigDef(type: 'source' | 'sink' | 'unknown'): ConfigDef {
  const def = new ConfigDef()
    .define(
      k({
        name: 'name',
        type: 'STRING',
        defaultValue: NO_DEFAULT,
        importance: 'HIGH',
        group: COMMON,
        orderInGroup: 1,
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
        group: COMMON,
        orderInGroup: 2,
        documentation: 'Name or alias of the connector class.',
      }),
    )
    .define(
      k({
        name: 'tasks.max',
        type: 'INT',
        defaultValue: 1,
        importance: 'HIGH',
        group: COMMON,
        orderInGroup: 3,
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
        group: COMMON,
        orderInGroup: 4,
        documentation: 'Fail the connector when it generates more than tasks.max task configs.',
      }),
    )
    .define(
      k({
        name: 'key.converter',
        type: 'CLASS',
        defaultValue: null,
        importance: 'LOW',
        group: COMMON,
        orderInGroup: 5,
        documentation: 'Overrides the worker key converter.',
      }),
    )
    .define(
      k({
        name: 'value.converter',
        type: 'CLASS',
        defaultValue: null,
        importance: 'LOW',
        group: COMMON,
        orderInGroup: 6,
        documentation: 'Overrides the worker value converter.',
      }),
    )
    .define(
      k({
        name: 'header.converter',
        type: 'CLASS',
        defaultValue: null,
        importance: 'LOW',
        group: COMMON,
        orderInGroup: 7,
        documentation: 'Overrides the worker header converter.',
      }),
    )
    .define(
      k({
        name: 'config.action.reload',
        type: 'STRING',
        defaultValue: 'restart',
        importance: 'LOW',
        group: COMMON,
        orderInGroup: 8,
        validator: Validators.oneOf('none', 'restart'),
        documentation: 'What to do when config provider values change.',
      }),
    )
    .define(
      k({
        name: 'transforms',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        group: 'Transforms',
        documentation: 'Aliases for the transformations to apply to records, in order.',
      }),
    )
    .define(
      k({
        name: 'predicates',
        type: 'LIST',
        defaultValue: [],
        importance: 'LOW',
        group: 'Predicates',
        documentation: 'Aliases for the predicates used by transformations.',
      }),
    )
    .define(
      k({
        name: 'errors.retry.timeout',
        type: 'LONG',
        defaultValue: 0,
        importance: 'MEDIUM',
        group: ERRORS,
        orderInGroup: 1,
        documentation: 'Maximum duration in ms to retry a failed operation; -1 retries forever.',
      }),
    )
    .define(
      k({
        name: 'errors.retry.delay.max.ms',
        type: 'LONG',
        defaultValue: 60000,
        importance: 'MEDIUM',
        group: ERRORS,
        orderInGroup: 2,
        documentation: 'Maximum delay between consecutive retries.',
      }),
    )
    .define(
      k({
        name: 'errors.tolerance',
        type: 'STRING',
        defaultValue: 'none',
        importance: 'MEDIUM',
        group: ERRORS,
        orderInGroup: 3,
        validator: Validators.oneOf('none', 'all'),
        documentation: 'none: an error fails the task; all: problematic records are skipped.',
      }),
    )
    .define(
      k({
        name: 'errors.log.enable',
        type: 'BOOLEAN',
        defaultValue: false,
        importance: 'MEDIUM',
        group: ERRORS,
        orderInGroup: 4,
        documentation: 'Log each error and the failed operation.',
      }),
    )
    .define(
      k({
        name: 'errors.log.include.messages',
        type: 'BOOLEAN',
        defaultValue: false,
        importance: 'MEDIUM',
        group: ERRORS,
        orderInGroup: 5,
        documentation: 'Include the failed record in the log.',
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
          group: COMMON,
          orderInGroup: 4,
          documentation: 'Topics to consume.',
        }),
      )
      .define(
        k({
          name: 'topics.regex',
          type: 'STRING',
          defaultValue: '',
          importance: 'HIGH',
          group: COMMON,
          orderInGroup: 4,
          validator: Validators.regex(),
          documentation: 'Regular expression of topics to consume.',
        }),
      )
      .define(
        k({
          name: 'errors.deadletterqueue.topic.name',
          type: 'STRING',
          defaultValue: '',
          importance: 'MEDIUM',
          group: ERRORS,
          orderInGroup: 6,
          documentation: 'Topic that receives records which failed conversion, transformation or processing.',
        }),
      )
      .define(
        k({
          name: 'errors.deadletterqueue.topic.replication.factor',
          type: 'SHORT',
          defaultValue: 3,
          importance: 'MEDIUM',
          group: ERRORS,
          orderInGroup: 7,
          documentation: 'Replication factor of the dead letter queue topic when created.',
        }),
      )
      .define(
        k({
          name: 'errors.deadletterqueue.context.headers.enable',
          type: 'BOOLEAN',
          defaultValue: false,
          importance: 'MEDIUM',
          group: ERRORS,
          orderInGroup: 8,
          documentation: 'Add __connect.errors.* headers with the error context.',
        }),
      );
  }
  if (type === 'source') {
    def
      .define(
        k({
          name: 'exactly.once.support',
          type: 'STRING',
          defaultValue: 'requested',
          importance: 'MEDIUM',
          group: 'Exactly Once Support',
          validator: Validators.oneOf('requested', 'required'),
          documentation: 'Whether the connector must support exactly-once delivery.',
        }),
      )
      .define(
        k({
          name: 'transaction.boundary',
          type: 'STRING',
          defaultValue: 'poll',
          importance: 'MEDIUM',
          group: 'Exactly Once Support',
          validator: Validators.oneOf('poll', 'interval', 'connector'),
          documentation: 'When to commit transactions.',
        }),
      )
      .define(
        k({
          name: 'transaction.boundary.interval.ms',
          type: 'LONG',
          defaultValue: null,
          importance: 'LOW',
          group: 'Exactly Once Support',
          validator: Validators.atLeast(0),
          documentation:
            "Transaction interval for transaction.boundary=interval; the worker's offset.flush.interval.ms when unset.",
        }),
      )
      .define(
        k({
          name: 'offsets.storage.topic',
          type: 'STRING',
          defaultValue: null,
          importance: 'LOW',
          group: 'Exactly Once Support',
          documentation: 'A separate offsets topic for this connector.',
        }),
      )
      .define(
        k({
          name: 'topic.creation.groups',
          type: 'LIST',
          defaultValue: [],
          importance: 'LOW',
          group: 'Topic Creation',
          documentation: 'Groups of topic creation settings.',
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
