// Object.toString() of the Java value Kafka would hold, for StringConverter:
// Struct{a=1,b=x}, [1, 2] for lists, {k=v, k2=v2} for maps, 1.0 for doubles.
import type { Schema } from '../sdk/index.js';
import { javaDouble, javaFloat } from './java-text.js';

export function javaToString(value: unknown, schema: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (schema?.type === 'float64') return javaDouble(value);
      if (schema?.type === 'float32') return javaFloat(value);
      return String(value);
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) {
    const elem = schema?.valueSchema ?? null;
    return '[' + value.map((v) => javaToString(v, elem)).join(', ') + ']';
  }
  if (schema?.type === 'struct') {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    // Kafka's Struct.toString leaves out null fields.
    for (const f of schema.fields ?? [])
      if (record[f.name] != null) parts.push(f.name + '=' + javaToString(record[f.name], f.schema));
    return 'Struct{' + parts.join(',') + '}';
  }
  const keySchema = schema?.keySchema ?? null;
  const valueSchema = schema?.valueSchema ?? null;
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return (
    '{' + entries.map(([k, v]) => javaToString(k, keySchema) + '=' + javaToString(v, valueSchema)).join(', ') + '}'
  );
}
