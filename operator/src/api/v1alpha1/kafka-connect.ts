// The KafkaConnect resource: one Connect cluster, standalone or distributed.
import { required, s, type Infer } from '../schema-dsl.js';
import { conditions } from './common.js';

/** Worker keys the operator sets itself; users may not override them in spec.config. */
export const RESERVED_WORKER_KEYS = [
  'bootstrap.servers',
  'group.id',
  'config.storage.topic',
  'offset.storage.topic',
  'status.storage.topic',
  'offset.storage.file.filename',
  'config.storage.file.filename',
  'listeners',
  'rest.advertised.host.name',
  'rest.advertised.port',
  'plugin.path',
  'security.protocol',
  'config.providers',
  'admin.listeners',
  'health.listeners',
  'rest.advertised.listener',
] as const;
export const RESERVED_WORKER_PREFIXES = ['ssl.', 'sasl.', 'config.providers.', 'listeners.'] as const;

const celList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

const trustedCertificate = s.object(
  {
    secretName: required(s.string({ description: 'Secret holding the CA certificate.', minLength: 1 })),
    certificate: required(
      s.string({ description: 'Key of the PEM certificate in the Secret, e.g. ca.crt.', minLength: 1 }),
    ),
  },
  { description: 'A CA certificate to trust, from a Secret.' },
);

export const kafkaConnectSpec = s.object(
  {
    mode: s.enum(['standalone', 'distributed'], {
      description:
        'standalone: one worker (Deployment) with offsets in a file on a PVC. distributed: a StatefulSet of workers sharing configs, offsets and status through Kafka topics. Changing it on a live cluster moves the source offsets along.',
      default: 'distributed',
    }),
    replicas: s.integer({
      description:
        'Number of workers. Standalone allows 0 or 1. Scale with kubectl scale or an HPA (scale subresource).',
      minimum: 0,
      default: 1,
    }),
    runtime: s.enum(['sluice', 'apache'], {
      description:
        "sluice: Sluice's TypeScript Connect runtime. apache: Apache Kafka Connect (the operator's Apache image, Java connectors as spec.plugins). Changing it on a live cluster keeps connector configs and source offsets (docs/apache-runtime.md).",
      default: 'sluice',
    }),
    image: s.string({
      description:
        "Worker image, overriding the operator's default image of spec.runtime (its entrypoint takes the mode and the worker.properties path, as both default images do).",
    }),
    plugins: s.array(
      s.object(
        {
          name: required(
            s.string({
              description: 'Directory name of the plugin under the plugin path.',
              pattern: '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$',
              maxLength: 63,
            }),
          ),
          image: required(
            s.string({
              description:
                'Image holding the plugin under /plugins (jars for apache, JS modules for sluice) and a cp binary; an init container copies /plugins/. into the plugin path.',
              minLength: 1,
            }),
          ),
        },
        { description: "A plugin image copied into the workers' plugin path." },
      ),
      {
        description: 'Plugin images, copied into the plugin path by init containers (no ImageVolume support needed).',
        maxItems: 32,
      },
    ),
    imagePullPolicy: s.enum(['Always', 'IfNotPresent', 'Never'], {
      description: 'Image pull policy of the worker container.',
    }),
    bootstrapServers: required(
      s.string({ description: 'Kafka bootstrap servers, host:port[,host:port].', minLength: 1 }),
    ),
    groupId: s.string({
      description: 'Distributed mode: the Connect group id. Default: <namespace>.<name>.',
      minLength: 1,
    }),
    configStorageTopic: s.string({
      description: 'Distributed mode: compacted config topic. Default: <namespace>.<name>-configs.',
      minLength: 1,
    }),
    offsetStorageTopic: s.string({
      description: 'Distributed mode: compacted offset topic. Default: <namespace>.<name>-offsets.',
      minLength: 1,
    }),
    statusStorageTopic: s.string({
      description: 'Distributed mode: compacted status topic. Default: <namespace>.<name>-status.',
      minLength: 1,
    }),
    replicationFactor: s.integer({
      description: 'Replication factor of the internal topics when the workers create them (-1: broker default).',
      minimum: -1,
      default: -1,
    }),
    config: s.stringMap({
      description: `Extra worker.properties keys (e.g. key.converter, offset.flush.interval.ms). Keys the operator manages are rejected: ${RESERVED_WORKER_KEYS.join(', ')} and the prefixes ${RESERVED_WORKER_PREFIXES.join(', ')}.`,
      validations: [
        {
          rule: `self.all(k, !(k in ${celList(RESERVED_WORKER_KEYS)}) && ${RESERVED_WORKER_PREFIXES.map((p) => `!k.startsWith('${p}')`).join(' && ')})`,
          message: `config may not set keys the operator manages (${RESERVED_WORKER_KEYS.join(', ')}, ${RESERVED_WORKER_PREFIXES.map((p) => p + '*').join(', ')}); use tls, authentication and the other spec fields`,
          reason: 'FieldValueForbidden',
        },
      ],
    }),
    tls: s.object(
      {
        trustedCertificates: s.array(trustedCertificate, {
          description: 'CA certificates for verifying the brokers.',
          maxItems: 16,
        }),
      },
      { description: 'TLS to the brokers. Present means security.protocol SSL (or SASL_SSL with authentication).' },
    ),
    authentication: s.object(
      {
        type: required(
          s.enum(['tls', 'plain', 'scram-sha-256', 'scram-sha-512'], {
            description: 'tls (mTLS client certificate), plain, scram-sha-256 or scram-sha-512.',
          }),
        ),
        username: s.string({ description: 'SASL user name.' }),
        passwordSecret: s.object(
          {
            secretName: required(s.string({ description: 'Secret holding the password.', minLength: 1 })),
            password: required(s.string({ description: 'Key of the password in the Secret.', minLength: 1 })),
          },
          { description: 'SASL password, from a Secret.' },
        ),
        certificateAndKey: s.object(
          {
            secretName: required(
              s.string({ description: 'Secret holding the client certificate and key.', minLength: 1 }),
            ),
            certificate: required(s.string({ description: 'Key of the PEM certificate, e.g. tls.crt.', minLength: 1 })),
            key: required(s.string({ description: 'Key of the PEM private key, e.g. tls.key.', minLength: 1 })),
          },
          { description: 'mTLS client certificate and key, from a Secret.' },
        ),
      },
      {
        description:
          'Client authentication to the brokers. Credentials are mounted from Secrets, never copied into ConfigMaps.',
        validations: [
          {
            rule: "self.type != 'tls' || has(self.certificateAndKey)",
            message: 'authentication type tls needs certificateAndKey',
            reason: 'FieldValueRequired',
          },
          {
            rule: "self.type == 'tls' || (has(self.username) && has(self.passwordSecret))",
            message: 'SASL authentication needs username and passwordSecret',
            reason: 'FieldValueRequired',
          },
        ],
      },
    ),
    connectorSecrets: s.array(
      s.string({
        description: 'Name of a Secret in this namespace.',
        minLength: 1,
        maxLength: 253,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      }),
      {
        description:
          'Secrets (in this namespace) that Connectors of this cluster may reference in spec.config as ${secret:<name>:<key>}. Each is mounted read-only into the workers at /etc/sluice/secrets/<name>; the connector config sent to the workers carries the placeholder ${dir:/etc/sluice/secrets/<name>:<key>}, resolved only inside a running task. A Connector naming any other Secret is refused (condition SecretNotAllowed).',
        maxItems: 32,
        listType: 'set',
      },
    ),
    resources: s.opaque({
      description:
        'Worker container resources (requests/limits), as in a Pod spec, taken as written. Default: requests cpu 25m, memory 256Mi (an idle worker); limits cpu 2, memory 1Gi. The Node heap (NODE_OPTIONS=--max-old-space-size) is 3/4 of the memory limit.',
    }),
    storage: s.object(
      {
        size: s.quantity({
          description: 'Standalone mode: size of the PVC holding offsets and connector configs.',
          default: '1Gi',
        }),
        storageClassName: s.string({ description: 'Storage class of the PVC. Default: the cluster default.' }),
        deleteClaim: s.boolean({
          description: 'Delete the PVC (and the offsets in it) when the KafkaConnect is deleted.',
          default: false,
        }),
      },
      { description: 'Standalone mode storage.' },
    ),
    template: s.object(
      {
        labels: s.stringMap({ description: 'Extra labels on worker pods.' }),
        annotations: s.stringMap({ description: 'Extra annotations on worker pods.' }),
        nodeSelector: s.stringMap({ description: 'Node selector of worker pods.' }),
        affinity: s.opaque({ description: 'Affinity of worker pods.' }),
        tolerations: s.opaque({ description: 'Tolerations of worker pods.', type: 'array' }),
        priorityClassName: s.string({ description: 'Priority class of worker pods.' }),
        env: s.opaque({
          description: 'Extra environment variables of the worker container (EnvVar list).',
          type: 'array',
        }),
      },
      { description: 'Extras for the worker pods.' },
    ),
    logging: s.object(
      {
        level: s.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], {
          description: 'Root log level of the workers.',
          default: 'INFO',
        }),
        loggers: s.stringMap({
          description: 'Per-logger levels, applied live through /admin/loggers without restarting workers.',
        }),
      },
      { description: 'Worker logging.' },
    ),
    rest: s.object(
      {
        tls: s.object(
          {
            enabled: s.boolean({
              description:
                'HTTPS with mutual TLS on the REST API: the operator keeps a CA and certificates in Secrets <name>-connect-rest-{ca,server,operator,client} and renews them. false: plain http (anyone who reaches port 8083 can use the API). Default: true for runtime sluice, false for runtime apache (its REST server reads no PEM keystores).',
            }),
          },
          { description: 'TLS of the REST API.' },
        ),
      },
      { description: "The workers' REST API (port 8083; /health and /metrics are also on the plain port 8084)." },
    ),
    metrics: s.object(
      {
        enabled: s.boolean({
          description:
            'Expose Prometheus metrics at /metrics (on the plain health port 8084) and annotate pods for scraping.',
          default: true,
        }),
      },
      { description: 'Metrics.' },
    ),
  },
  {
    description: 'Desired state of a Kafka Connect cluster.',
    validations: [
      {
        rule: "self.mode != 'standalone' || self.replicas <= 1",
        message: 'standalone mode runs one worker: replicas must be 0 or 1',
        reason: 'FieldValueInvalid',
        fieldPath: '.replicas',
      },
    ],
  },
);

export const kafkaConnectStatus = s.object(
  {
    conditions,
    observedGeneration: s.integer({ description: 'The spec generation this status describes.' }),
    mode: s.string({ description: 'The mode the cluster currently runs in.' }),
    runtime: s.string({ description: 'The runtime the cluster currently runs (sluice or apache).' }),
    replicas: s.integer({ description: 'Current number of worker pods.' }),
    readyReplicas: s.integer({ description: 'Worker pods that are ready.' }),
    labelSelector: s.string({ description: 'Label selector of the worker pods (scale subresource, HPA).' }),
    url: s.string({ description: 'REST API URL inside the cluster.' }),
    connectorPlugins: s.array(
      s.object(
        {
          class: s.string({ description: 'Plugin class.' }),
          type: s.string({ description: 'source or sink.' }),
          version: s.string({ description: 'Plugin version.' }),
        },
        { description: 'A connector plugin.' },
      ),
      { description: 'Connector plugins the workers offer.' },
    ),
    offsetMigration: s.object(
      {
        from: s.string({ description: 'Mode the offsets came from.' }),
        to: s.string({ description: 'Mode the offsets went to.' }),
        phase: s.string({ description: 'Pending, Copied or Done.' }),
        offsets: s.integer({ description: 'Number of source partitions moved.' }),
      },
      { description: 'Progress of the last mode switch.' },
    ),
  },
  { description: 'Observed state of a Kafka Connect cluster.' },
);

export type KafkaConnectSpec = Infer<typeof kafkaConnectSpec>;
export type KafkaConnectStatus = Infer<typeof kafkaConnectStatus>;
