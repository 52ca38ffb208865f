// The API group and version (the one place they are spelled), the two
// kinds' REST resources, and schema pieces shared by both kinds.
import { required, s } from '../schema-dsl.js';

export const GROUP = 'sluice.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;
/** The REST resources of the two kinds (kube/resource-path.ts's ResourceRef). */
export const KAFKA_CONNECTS = { group: GROUP, version: VERSION, plural: 'kafkaconnects' } as const;
export const CONNECTORS = { group: GROUP, version: VERSION, plural: 'connectors' } as const;

export const condition = s.object(
  {
    type: required(s.string({ description: 'Condition type, e.g. Ready.' })),
    status: required(s.enum(['True', 'False', 'Unknown'], { description: 'True, False or Unknown.' })),
    reason: s.string({ description: 'One-word CamelCase reason for the last transition.' }),
    message: s.string({ description: 'Human-readable details.' }),
    lastTransitionTime: s.string({ description: 'When the status last changed.', format: 'date-time' }),
    observedGeneration: s.integer({ description: 'The generation the condition was computed for.' }),
  },
  { description: 'A standard Kubernetes condition.' },
);

export const conditions = s.array(condition, { description: 'Current conditions; `Ready` summarises the resource.' });

export const secretKeyRef = (what: string, keyName: string, defaultKey: string) =>
  s.object(
    {
      secretName: required(s.string({ description: `Name of the Secret holding the ${what}.`, minLength: 1 })),
      [keyName]: s.string({ description: `Key in the Secret (default "${defaultKey}").`, default: defaultKey }),
    } as const,
    { description: `Secret reference for the ${what}.` },
  );
