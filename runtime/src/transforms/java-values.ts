// Java's view of numbers and strings, for transforms whose output Kafka
// defines through Java conversions (Cast, MaskField, InsertHeader).
import type { SchemaType } from '../sdk/index.js';

const BITS: Partial<Record<SchemaType, number>> = { int8: 8, int16: 16, int32: 32, int64: 64 };
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** int64 values beyond 2^53 stay bigints, as the SDK represents them. */
export function int64Value(n: bigint): number | bigint {
  return n > MAX_SAFE || n < -MAX_SAFE ? n : Number(n);
}

/**
 * Java's narrowing conversions: Number.byteValue() and friends. Floating
 * point saturates to int (or long) range first and integers wrap, exactly as
 * `(byte) d` does in Java.
 */
export function narrowInteger(value: number | bigint, target: SchemaType, fromFloat: boolean): number | bigint {
  const bits = BITS[target]!;
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (Number.isNaN(value)) n = 0n;
  else if (fromFloat || !Number.isInteger(value)) {
    const satBits = bits === 64 ? 64 : 32;
    const max = 2n ** BigInt(satBits - 1) - 1n;
    const min = -(2n ** BigInt(satBits - 1));
    if (value === Infinity) n = max;
    else if (value === -Infinity) n = min;
    else {
      n = BigInt(Math.trunc(value));
      if (n > max) n = max;
      if (n < min) n = min;
    }
  } else n = BigInt(value);
  const wrapped = BigInt.asIntN(bits, n);
  return bits === 64 ? int64Value(wrapped) : Number(wrapped);
}

/** Byte.parseByte / Short.parseShort / Integer.parseInt / Long.parseLong; throws RangeError. */
export function parseJavaInteger(text: string, target: SchemaType): number | bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new RangeError(`For input string: "${text}"`);
  const n = BigInt(text);
  const bits = BITS[target]!;
  if (n !== BigInt.asIntN(bits, n)) throw new RangeError(`Value out of range. Value:"${text}"`);
  return bits === 64 ? int64Value(n) : Number(n);
}

/** Float.parseFloat / Double.parseDouble; throws RangeError. */
export function parseJavaFloat(text: string, float32: boolean): number {
  const t = text.trim();
  if (!/^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/.test(t))
    throw new RangeError(`For input string: "${text}"`);
  const n = Number(t.replace(/[fFdD]$/, ''));
  return float32 ? Math.fround(n) : n;
}

/** Double.toString / Float.toString: "1.0" not "1", "1.0E10" past 10^7. */
export function javaFloatToString(n: number, float32: boolean): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  let digits = String(n);
  if (float32) {
    // the shortest decimal that reads back as the same float
    for (let p = 1; p <= 9; p++) {
      const candidate = Number(n.toPrecision(p));
      if (Math.fround(candidate) === n) {
        digits = String(candidate);
        break;
      }
    }
  }
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = Number(digits).toString();
    if (/e/.test(plain)) return plain;
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = Number(digits).toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
