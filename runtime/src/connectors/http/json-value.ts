// Renders a Connect value as JSON text for a request body. JSON.stringify
// alone would not do: Buffers would become {"type":"Buffer",...}, bigints
// would throw and Maps would become {}.
import type { Schema } from '../../sdk/index.js';

/** JSON text of a Connect value: structs and maps as objects, bytes as base64, int64 bigints as numbers. */
export function toJson(value: unknown, schema?: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `"${Buffer.from(value).toString('base64')}"`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v, schema?.valueSchema)).join(',')}]`;
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [k, v] of value) parts.push(`${JSON.stringify(String(k))}:${toJson(v, schema?.valueSchema)}`);
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'object') {
    const parts: string[] = [];
    const obj = value as Record<string, unknown>;
    if (schema?.type === 'struct' && schema.fields) {
      for (const f of schema.fields) parts.push(`${JSON.stringify(f.name)}:${toJson(obj[f.name], f.schema)}`);
    } else {
      for (const k of Object.keys(obj)) {
        if (obj[k] === undefined) continue;
        parts.push(`${JSON.stringify(k)}:${toJson(obj[k], schema?.valueSchema)}`);
      }
    }
    return `{${parts.join(',')}}`;
  }
  return 'null';
}

/**
 * The body text of one record value. In `raw` format a string or bytes value
 * is taken to be JSON already (e.g. read with the StringConverter) and goes in
 * unchanged; everything else is rendered with toJson.
 */
export function renderValue(value: unknown, schema: Schema | null | undefined, format: 'json' | 'raw'): string {
  if (format === 'raw') {
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
  }
  return toJson(value, schema);
}
