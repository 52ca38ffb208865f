// Java charset names (as in converter.encoding) mapped to Node encoders and
// decoders. Node lacks most legacy encoders, so only the charsets every JVM
// must support (java.nio.charset.StandardCharsets) are accepted.
import { ConfigError } from '../sdk/index.js';

export interface Charset {
  readonly name: string;
  encode(s: string): Buffer;
  decode(b: Buffer): string;
}

const UTF8: Charset = {
  name: 'UTF-8',
  encode: (s) => Buffer.from(s, 'utf8'),
  decode: (b) => b.toString('utf8'),
};

function swapped(b: Buffer): Buffer {
  const copy = Buffer.from(b.subarray(0, b.length & ~1));
  return copy.swap16();
}

const CHARSETS: Record<string, Charset> = {
  'UTF-8': UTF8,
  'ISO-8859-1': {
    name: 'ISO-8859-1',
    // Java replaces unmappable characters with '?'.
    encode: (s) => Buffer.from(s.replace(/[^\p{ASCII}\u0080-\u00ff]/gu, '?'), 'latin1'),
    decode: (b) => b.toString('latin1'),
  },
  'US-ASCII': {
    name: 'US-ASCII',
    encode: (s) => Buffer.from(s.replace(/\P{ASCII}/gu, '?'), 'latin1'),
    decode: (b) => b.toString('latin1').replace(/[\u0080-\u00ff]/g, '\ufffd'),
  },
  'UTF-16LE': { name: 'UTF-16LE', encode: (s) => Buffer.from(s, 'utf16le'), decode: (b) => b.toString('utf16le') },
  'UTF-16BE': {
    name: 'UTF-16BE',
    encode: (s) => Buffer.from(s, 'utf16le').swap16(),
    decode: (b) => swapped(b).toString('utf16le'),
  },
  'UTF-16': {
    // Java writes a big-endian byte order mark and honours one when reading.
    name: 'UTF-16',
    encode: (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]),
    decode: (b) => {
      if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
      return swapped(b[0] === 0xfe && b[1] === 0xff ? b.subarray(2) : b).toString('utf16le');
    },
  },
};

const ALIASES: Record<string, string> = {
  UTF8: 'UTF-8',
  ISO8859_1: 'ISO-8859-1',
  'ISO-LATIN-1': 'ISO-8859-1',
  LATIN1: 'ISO-8859-1',
  ASCII: 'US-ASCII',
  UTF_16LE: 'UTF-16LE',
  UTF_16BE: 'UTF-16BE',
  UTF_16: 'UTF-16',
  UTF16: 'UTF-16',
};

export function charsetFor(key: string, name: string): Charset {
  const upper = name.trim().toUpperCase();
  const found = CHARSETS[ALIASES[upper] ?? upper];
  if (!found) throw new ConfigError(key, `Unsupported encoding ${name}`);
  return found;
}

export { UTF8 };
