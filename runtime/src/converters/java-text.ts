// Text renderings that must match what the JVM (Jackson, Double.toString,
// BigDecimal.toString) produces, so bytes written here equal Kafka's.

const MILLIS_PER_DAY = 86_400_000;

/** Java's Double.toString (JDK 19+ shortest-digits variant), e.g. 1 -> "1.0", 1e7 -> "1.0E7". */
export function javaDouble(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : s + '.0';
  }
  // toExponential() without digits yields the shortest round-tripping mantissa.
  const s = n.toExponential();
  const e = s.indexOf('e');
  const mantissa = s.slice(0, e);
  const exp = s.charCodeAt(e + 1) === 43 /* + */ ? s.slice(e + 2) : s.slice(e + 1);
  return (mantissa.includes('.') ? mantissa : mantissa + '.0') + 'E' + exp;
}

/** Java's Float.toString: the shortest decimal that reads back as the same float32. */
export function javaFloat(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return javaDouble(n);
  const f = Math.fround(n);
  for (let p = 1; p < 10; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return javaDouble(candidate);
  }
  return javaDouble(f);
}

// What Jackson escapes differently from JSON.stringify: control characters
// in upper-case hex (\u001F, not \u001f), and every UTF-16 surrogate: its
// UTF8JsonGenerator writes a character outside the BMP as two escapes
// ("\uD83D\uDE00", not the 4 raw UTF-8 bytes; COMBINE_UNICODE_SURROGATES_IN_UTF8
// is off by default) and a lone surrogate as one escape.
const JACKSON_DIFFERENCES = /\\(?:\\|u00([01][0-9a-f])|u(d[89a-f][0-9a-f]{2}))|([\uD800-\uDFFF])/g;
const SURROGATE = /[\uD800-\uDFFF]/;

function jacksonEscape(m: string, control?: string, loneEscaped?: string, raw?: string): string {
  if (control) return '\\u00' + control.toUpperCase();
  if (loneEscaped) return '\\u' + loneEscaped.toUpperCase();
  if (raw) return '\\u' + raw.charCodeAt(0).toString(16).toUpperCase();
  return m;
}

/**
 * JSON text from JSON.stringify made byte-identical to Jackson's (Kafka's
 * JsonConverter writes through Jackson).
 */
export function jacksonText(json: string): string {
  if (!json.includes('\\u') && !SURROGATE.test(json)) return json;
  return json.replace(JACKSON_DIFFERENCES, jacksonEscape);
}

/** A JSON string literal as Jackson writes it (see jacksonText). */
export function quote(s: string): string {
  const q = JSON.stringify(s);
  // Same length and no surrogate means nothing differs from Jackson: the common case skips the regex.
  if (q.length === s.length + 2 && !SURROGATE.test(s)) return q;
  return q.replace(JACKSON_DIFFERENCES, jacksonEscape);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Kafka's Values date patterns (UTC): yyyy-MM-dd, HH:mm:ss.SSS'Z', yyyy-MM-dd'T'HH:mm:ss.SSS'Z'. */
export function isoDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

export function isoTime(d: Date): string {
  return `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

export function isoTimestamp(d: Date): string {
  return `${isoDate(d)}T${isoTime(d)}`;
}

/** What Kafka's Values picks for a java.util.Date without a schema. */
export function isoForDate(d: Date): string {
  const ms = d.getTime();
  if (ms >= 0 && ms < MILLIS_PER_DAY) return isoTime(d);
  if (ms % MILLIS_PER_DAY === 0) return isoDate(d);
  return isoTimestamp(d);
}
