// The two CustomResourceDefinitions, built from the v1alpha1 schemas. Pure:
// `npm run crds` writes them to crds/ and the chart, and a test checks the
// committed files match.
import type { JsonSchema } from './schema-dsl.js';
import { CONNECTORS, GROUP, KAFKA_CONNECTS, VERSION } from './v1alpha1/common.js';
import { connectorSpec, connectorStatus } from './v1alpha1/connector.js';
import { kafkaConnectSpec, kafkaConnectStatus } from './v1alpha1/kafka-connect.js';

interface CrdOptions {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: JsonSchema;
  status: JsonSchema;
  columns: Array<{ name: string; type: string; jsonPath: string; description: string; priority?: number }>;
  scale: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
}

function crd(o: CrdOptions) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${o.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'sluice' } },
    spec: {
      group: GROUP,
      names: {
        kind: o.kind,
        listKind: `${o.kind}List`,
        plural: o.plural,
        singular: o.singular,
        shortNames: o.shortNames,
        categories: ['sluice', 'kafka'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {}, scale: o.scale },
          additionalPrinterColumns: [
            ...o.columns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: o.description,
              required: ['spec'],
              properties: {
                apiVersion: {
                  type: 'string',
                  description: 'APIVersion defines the versioned schema of this representation of an object.',
                },
                kind: {
                  type: 'string',
                  description: 'Kind is a string value representing the REST resource this object represents.',
                },
                metadata: { type: 'object' },
                spec: o.spec,
                status: o.status,
              },
            },
          },
        },
      ],
    },
  };
}

const ready = (what: string) => ({
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: `Whether the ${what} is ready.`,
});

export const kafkaConnectCrd = crd({
  kind: 'KafkaConnect',
  plural: KAFKA_CONNECTS.plural,
  singular: 'kafkaconnect',
  shortNames: ['kc', 'kconnect'],
  description: 'A Kafka Connect cluster run by the Sluice operator, in standalone or distributed mode.',
  spec: kafkaConnectSpec.schema,
  status: kafkaConnectStatus.schema,
  columns: [
    { name: 'Mode', type: 'string', jsonPath: '.spec.mode', description: 'standalone or distributed.' },
    { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired workers.' },
    { name: 'Ready Replicas', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Ready workers.' },
    ready('cluster'),
    { name: 'URL', type: 'string', jsonPath: '.status.url', description: 'REST API URL.', priority: 1 },
  ],
  scale: {
    specReplicasPath: '.spec.replicas',
    statusReplicasPath: '.status.replicas',
    labelSelectorPath: '.status.labelSelector',
  },
});

export const connectorCrd = crd({
  kind: 'Connector',
  plural: CONNECTORS.plural,
  singular: 'connector',
  shortNames: ['kctr', 'sconn'],
  description: 'A Kafka Connect connector run on a KafkaConnect cluster in the same namespace.',
  spec: connectorSpec.schema,
  status: connectorStatus.schema,
  columns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name', description: 'The KafkaConnect running it.' },
    { name: 'Class', type: 'string', jsonPath: '.spec.class', description: 'Connector class.' },
    { name: 'State', type: 'string', jsonPath: '.status.state', description: 'Connector state.' },
    { name: 'Tasks', type: 'string', jsonPath: '.status.tasksReady', description: 'Running tasks / all tasks.' },
    ready('connector'),
  ],
  scale: {
    specReplicasPath: '.spec.tasksMax',
    statusReplicasPath: '.status.tasksMax',
    labelSelectorPath: '.status.labelSelector',
  },
});

export const crds = [kafkaConnectCrd, connectorCrd];
