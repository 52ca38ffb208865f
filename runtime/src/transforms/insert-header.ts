// InsertHeader: adds a header with a fixed value to every record.
import {
  ConfigDef,
  NO_DEFAULT,
  Schemas,
  newRecord,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { headersOf } from './headers.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'header',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    importance: 'HIGH',
    documentation: 'The name of the header.',
  })
  .define({
    name: 'value.literal',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    importance: 'HIGH',
    documentation: 'The literal value that is to be set as the header value on all records.',
  });

/**
 * Kafka's Values.parseString for scalar literals: booleans, the narrowest
 * integer type that holds the number, float32 for decimals (as Kafka does),
 * and otherwise the string itself.
 */
export function parseLiteral(literal: string): { schema: Schema | null; value: unknown } {
  const text = literal.trim();
  if (/^null$/i.test(text)) return { schema: null, value: null };
  if (/^(true|false)$/i.test(text)) return { schema: Schemas.BOOLEAN, value: text.toLowerCase() === 'true' };
  if (/^[+-]?\d+$/.test(text)) {
    const n = BigInt(text);
    for (const [bits, schema] of [
      [8, Schemas.INT8],
      [16, Schemas.INT16],
      [32, Schemas.INT32],
    ] as const)
      if (BigInt.asIntN(bits, n) === n) return { schema, value: Number(n) };
    if (BigInt.asIntN(64, n) === n)
      return {
        schema: Schemas.INT64,
        value: n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n,
      };
  } else if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (Number.isFinite(Math.fround(n))) return { schema: Schemas.FLOAT32, value: Math.fround(n) };
    if (Number.isFinite(n)) return { schema: Schemas.FLOAT64, value: n };
  }
  return { schema: Schemas.STRING, value: literal };
}

export class InsertHeader implements Transformation {
  private header = '';
  private literal: { schema: Schema | null; value: unknown } = { schema: null, value: null };

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    this.header = c['header'] as string;
    this.literal = parseLiteral(c['value.literal'] as string);
  }

  apply<R extends ConnectRecord>(record: R): R {
    const headers = headersOf(record.headers);
    headers.push({ key: this.header, ...this.literal });
    return newRecord(record, { headers });
  }
}
