// A tiny schema DSL: each builder yields both an OpenAPI v3 schema (for the
// CRD) and, through `Infer`, the TypeScript type of the data it describes.
// The CRDs, the operator's types and the reference docs all come from the
// same definitions, so they cannot drift apart.

export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  enum?: readonly unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: Array<{ rule: string; message: string; reason?: string; fieldPath?: string }>;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
}

/** A schema node that remembers the TS type it describes (phantom `T`). */
export interface Node<T, O extends boolean = boolean> {
  readonly schema: JsonSchema;
  readonly optional: O;
  /** never read: carries T for Infer */
  readonly __type?: T;
}

export type Infer<N> = N extends Node<infer T, boolean> ? T : never;

type Common = { description: string; validations?: JsonSchema['x-kubernetes-validations'] };

function node<T>(schema: JsonSchema, common: Common): Node<T, true> {
  const s: JsonSchema = { ...schema, description: common.description };
  if (common.validations?.length) s['x-kubernetes-validations'] = common.validations;
  return { schema: s, optional: true };
}

type Props = Record<string, Node<unknown, boolean>>;
type OptionalKeys<P extends Props> = { [K in keyof P]: P[K] extends Node<unknown, true> ? K : never }[keyof P];
type RequiredKeys<P extends Props> = Exclude<keyof P, OptionalKeys<P>>;
export type ObjectOf<P extends Props> = { -readonly [K in RequiredKeys<P>]: Infer<P[K]> } & {
  -readonly [K in OptionalKeys<P>]?: Infer<P[K]>;
};

export const s = {
  string: (
    c: Common & { default?: string; pattern?: string; minLength?: number; maxLength?: number; format?: string },
  ) => node<string>({ type: 'string', ...pick(c, ['default', 'pattern', 'minLength', 'maxLength', 'format']) }, c),
  /** A string restricted to `values`; its TS type is their union. */
  enum: <const V extends readonly string[]>(values: V, c: Common & { default?: V[number] }) =>
    node<V[number]>({ type: 'string', enum: values, ...pick(c, ['default']) }, c),
  integer: (c: Common & { default?: number; minimum?: number; maximum?: number }) =>
    node<number>({ type: 'integer', ...pick(c, ['default', 'minimum', 'maximum']) }, c),
  boolean: (c: Common & { default?: boolean }) => node<boolean>({ type: 'boolean', ...pick(c, ['default']) }, c),
  /** Kubernetes quantity ("1Gi", "500m" or a number). */
  quantity: (c: Common & { default?: string }) =>
    node<string | number>(
      {
        'x-kubernetes-int-or-string': true,
        ...pick(c, ['default']),
        pattern:
          '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
      },
      c,
    ),
  object: <P extends Props>(properties: P, c: Common & { default?: Record<string, unknown> }) => {
    const required = Object.entries(properties)
      .filter(([, n]) => !n.optional)
      .map(([k]) => k);
    return node<ObjectOf<P>>(
      {
        type: 'object',
        properties: Object.fromEntries(Object.entries(properties).map(([k, n]) => [k, n.schema])),
        ...(required.length ? { required } : {}),
        ...pick(c, ['default']),
      },
      c,
    );
  },
  /** A string-to-string map (labels, annotations, connector config). */
  stringMap: (c: Common & { maxProperties?: number }) =>
    // The bound keeps CEL rules over the map within the apiserver's cost budget.
    node<Record<string, string>>(
      { type: 'object', additionalProperties: { type: 'string' }, maxProperties: c.maxProperties ?? 256 },
      c,
    ),
  array: <T>(items: Node<T>, c: Common & { maxItems?: number; listType?: 'atomic' | 'set' }) =>
    node<T[]>(
      {
        type: 'array',
        items: items.schema,
        ...pick(c, ['maxItems']),
        ...(c.listType ? { 'x-kubernetes-list-type': c.listType } : {}),
      },
      c,
    ),
  /** Any Kubernetes object we pass through untouched (affinity, tolerations, env...). */
  opaque: <T = Record<string, unknown>>(c: Common & { type?: 'object' | 'array' }) =>
    node<T>(
      {
        type: c.type ?? 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        ...(c.type === 'array' ? { items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } : {}),
      },
      c,
    ),
};

/** Marks a node required (present in `required` of its parent object). */
export function required<T>(n: Node<T, boolean>): Node<T, false> {
  return { ...n, optional: false };
}

function pick<C extends object>(c: C, keys: string[]): Partial<JsonSchema> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if ((c as Record<string, unknown>)[k] !== undefined) out[k] = (c as Record<string, unknown>)[k];
  return out as Partial<JsonSchema>;
}
