// Renders a Connect value as Java's String.valueOf would, because the
// FileStream sink writes `println(record.value())` and its output should read
// the same as Kafka's: `Struct{a=1,b=x}` for structs, `{k=v, k2=v2}` for
// maps, `[a, b]` for lists, `1.0` for an integral double. JS's own String()
// would print "[object Object]" for a struct.
import type { Schema } from '../sdk/index.js';

export function javaString(value: unknown, schema?: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return isFloating(schema) ? javaDouble(value) : String(value);
    case 'bigint':
    case 'boolean':
      return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  // Java prints byte[] as "[B@1b6d3586", which helps nobody: the bytes as
  // UTF-8 are what a reader of the file wants.
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return `[${value.map((v) => javaString(v, schema?.valueSchema)).join(', ')}]`;
  if (value instanceof Map) {
    const entries = [...value].map(
      ([k, v]) => `${javaString(k, schema?.keySchema)}=${javaString(v, schema?.valueSchema)}`,
    );
    return `{${entries.join(', ')}}`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (schema?.type === 'struct' && schema.fields) {
      // Kafka's Struct.toString skips null fields and joins with "," (no space).
      const parts: string[] = [];
      for (const field of schema.fields) {
        const v = record[field.name];
        if (v !== null && v !== undefined) parts.push(`${field.name}=${javaString(v, field.schema)}`);
      }
      return `Struct{${parts.join(',')}}`;
    }
    const entries = Object.entries(record).map(([k, v]) => `${k}=${javaString(v, schema?.valueSchema)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

function isFloating(schema: Schema | null | undefined): boolean {
  return schema?.type === 'float32' || schema?.type === 'float64';
}

/** Java's Double.toString for the common cases: integral values keep a ".0". */
function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const s = String(n);
  return Number.isInteger(n) && Math.abs(n) < 1e7 && !s.includes('e') ? `${s}.0` : s;
}
