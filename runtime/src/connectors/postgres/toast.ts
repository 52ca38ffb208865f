// What Debezium 3.6.1 emits for a TOASTed value an UPDATE left unchanged
// (pgoutput sends no value for it). UnchangedToastedReplicationMessageColumn
// picks a marker by the column's type name, UnchangedToastedPlaceholder turns
// it into a value built from unavailable.value.placeholder, and
// PostgresValueConverter hands that to the field; a value the field's schema
// does not accept fails Struct.put, and with the default
// event.converting.failure.handling.mode=warn the field is left null.
import { createHash } from 'node:crypto';
import type { Schema } from '../../sdk/index.js';
import type { PgType } from './types.js';

/** Debezium's default unavailable.value.placeholder. */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

/** unavailable.value.placeholder as Debezium reads it: `hex:` then hex octets, else the string's UTF-8 bytes. */
export function placeholderBytes(setting: string): Buffer {
  return setting.startsWith('hex:') ? Buffer.from(setting.slice(4), 'hex') : Buffer.from(setting, 'utf8');
}

/** No value the field accepts: the caller leaves it null (or, for a required field, its filler). */
export const NO_PLACEHOLDER = Symbol('no unchanged-TOAST placeholder');

/**
 * The value of an unchanged TOASTed column of `type` whose field has `schema`
 * (the placeholder's own bytes, `placeholder`).
 */
export function unchangedToastValue(type: PgType, schema: Schema, placeholder: Buffer): unknown {
  const text = placeholder.toString('utf8');
  if (type.isArray && type.element) {
    const element = schema.valueSchema;
    switch (type.element.name) {
      case 'text':
      case 'varchar':
      case 'bpchar':
      case 'json':
      case 'jsonb':
        return [text];
      case 'bytea':
        return element?.type === 'bytes' ? [Buffer.from(placeholder)] : NO_PLACEHOLDER;
      case 'int4':
        return signedBytes(placeholder);
      case 'date':
        // A list of Integers, which Kafka Connect's logical Date (time.precision.mode=connect) refuses.
        return element?.name === 'io.debezium.time.Date' ? signedBytes(placeholder) : NO_PLACEHOLDER;
      case 'int8':
        return signedBytes(placeholder);
      case 'uuid':
        return [nameUuid(placeholder)];
    }
  }
  // Any other type gets the generic marker: the placeholder's text from string
  // converters (also numeric in string mode and bytea in base64/hex modes, not
  // encoded), its bytes from the bytea converter in bytes mode; converters of
  // other schemas (Decimal, VariableScaleDecimal, double, other arrays) also
  // return the text, which their field refuses.
  const base = type.kind === 'd' && type.element ? type.element : type;
  if (schema.type === 'string') return text;
  if (schema.type === 'bytes' && base.name === 'bytea') return Buffer.from(placeholder);
  return NO_PLACEHOLDER;
}

/** Each byte as a Java `byte` (signed), as Debezium's int[] and bigint[] placeholders. */
function signedBytes(b: Buffer): number[] {
  return [...new Int8Array(b.buffer, b.byteOffset, b.length)];
}

/** Java's UUID.nameUUIDFromBytes: MD5, version 3, IETF variant. */
function nameUuid(b: Buffer): string {
  const h = createHash('md5').update(b).digest();
  h[6] = (h[6]! & 0x0f) | 0x30;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
