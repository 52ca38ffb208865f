// The Connector resource: one connector on a KafkaConnect in the same namespace.
import { required, s, type Infer } from '../schema-dsl.js';
import { conditions } from './common.js';

export const RESERVED_CONNECTOR_KEYS = ['name', 'connector.class', 'tasks.max'] as const;

const taskState = s.object(
  {
    id: s.integer({ description: 'Task number.' }),
    state: s.string({ description: 'RUNNING, PAUSED, FAILED, UNASSIGNED or RESTARTING.' }),
    workerId: s.string({ description: 'Worker running the task.' }),
    trace: s.string({ description: 'Shortened error trace of a FAILED task.' }),
  },
  { description: 'State of one task.' },
);

export const connectorSpec = s.object(
  {
    clusterRef: required(
      s.object(
        { name: required(s.string({ description: 'Name of the KafkaConnect in this namespace.', minLength: 1 })) },
        { description: 'The Connect cluster that runs this connector.' },
      ),
    ),
    class: required(
      s.string({
        description:
          'Connector class or alias, e.g. FileStreamSource or org.apache.kafka.connect.file.FileStreamSourceConnector.',
        minLength: 1,
      }),
    ),
    tasksMax: s.integer({
      description: 'Maximum number of tasks (scale subresource: kubectl scale and HPAs act on it).',
      minimum: 1,
      default: 1,
    }),
    config: s.stringMap({
      description:
        'Connector configuration (Kafka Connect keys). name, connector.class and tasks.max come from the resource and may not be set here. Secrets: write ${secret:<secret-name>:<key>} for a Secret listed in spec.connectorSecrets of the KafkaConnect (the workers get a ${dir:...} placeholder, resolved only in a running task); other Secrets and raw ${dir:...}/${file:...}/${env:...} placeholders are refused (SecretNotAllowed).',
      validations: [
        {
          rule: `self.all(k, !(k in [${RESERVED_CONNECTOR_KEYS.map((k) => `'${k}'`).join(', ')}]))`,
          message:
            'config may not set name, connector.class or tasks.max: use metadata.name, spec.class and spec.tasksMax',
          reason: 'FieldValueForbidden',
        },
      ],
    }),
    state: s.enum(['running', 'paused', 'stopped'], {
      description: 'Desired state: running, paused or stopped (stopped keeps offsets and config but runs no tasks).',
      default: 'running',
    }),
    autoRestart: s.object(
      {
        enabled: s.boolean({
          description: 'Restart failed connectors and tasks automatically, with growing backoff.',
          default: true,
        }),
        maxRestarts: s.integer({
          description: 'Give up after this many consecutive restarts. Default: unlimited.',
          minimum: 0,
        }),
      },
      { description: 'Automatic restart of failed connectors and tasks.' },
    ),
  },
  { description: 'Desired state of a connector.' },
);

export const connectorStatus = s.object(
  {
    conditions,
    observedGeneration: s.integer({ description: 'The spec generation this status describes.' }),
    state: s.string({ description: 'Connector state reported by the workers.' }),
    workerId: s.string({ description: 'Worker running the connector.' }),
    trace: s.string({ description: 'Shortened error trace of a FAILED connector.' }),
    type: s.string({ description: 'source or sink.' }),
    tasks: s.array(taskState, { description: 'State of each task.' }),
    tasksMax: s.integer({ description: 'spec.tasksMax as last applied (scale subresource).' }),
    taskCount: s.integer({ description: 'Number of tasks the connector runs.' }),
    tasksReady: s.string({ description: 'Running tasks out of all tasks, e.g. 2/2.' }),
    topics: s.array(s.string({ description: 'Topic.' }), { description: 'Topics the connector has used.' }),
    autoRestart: s.object(
      {
        count: s.integer({ description: 'Restarts since the connector was last healthy.' }),
        lastRestartTime: s.string({ description: 'When the operator last restarted it.', format: 'date-time' }),
      },
      { description: 'Automatic restart counters.' },
    ),
    labelSelector: s.string({
      description: 'Selector of the worker pods of its cluster (scale subresource, HPA/KEDA).',
    }),
  },
  { description: 'Observed state of a connector.' },
);

export type ConnectorSpec = Infer<typeof connectorSpec>;
export type ConnectorStatus = Infer<typeof connectorStatus>;
