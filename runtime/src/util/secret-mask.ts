// Masking of resolved secrets. Every value a config provider resolves (and
// the passwords of the worker's own config) is registered here, and
// everything this process writes where others can read it (log lines,
// status traces, REST error messages, dead letter queue headers) passes
// through maskSecrets(), which replaces each registered value with
// `[hidden]`. Process-wide on purpose: a secret resolved for one task must
// not show up in any other component's output either.

/** What a masked secret reads as (Kafka's Password.toString()). */
export const MASK = '[hidden]';

/**
 * Values shorter than this are not masked inside longer text: masking a
 * two-letter value would garble every line that happens to contain those
 * letters. Such values are no secrets anyway.
 */
export const MIN_MASKED_LENGTH = 4;

const secrets = new Set<string>();
let pattern: RegExp | null = null;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Registers a resolved secret; its longer lines too, so a PEM key cut in a trace stays hidden. */
export function registerSecret(value: string): void {
  const candidates = [value, ...value.split(/\r?\n/).map((l) => l.trim())];
  for (const c of candidates) {
    if (c.length < MIN_MASKED_LENGTH || secrets.has(c)) continue;
    secrets.add(c);
    pattern = null;
  }
}

/** `text` with every registered secret replaced by `[hidden]`. */
export function maskSecrets(text: string): string {
  if (secrets.size === 0 || text.length < MIN_MASKED_LENGTH) return text;
  // Longest first, so a secret that contains another is masked whole.
  pattern ??= new RegExp(
    [...secrets]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return text.replace(pattern, MASK);
}

/** A copy of `value` with every string in it (object keys and values, array items) masked. */
export function maskDeep<T>(value: T, depth = 0): T {
  if (secrets.size === 0) return value;
  if (typeof value === 'string') return maskSecrets(value) as T;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return maskSecrets(value.stack ?? value.message) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1)) as T;
  if (Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[maskSecrets(k)] = maskDeep(v, depth + 1);
  return out as T;
}

/** The number of registered secrets (tests and metrics). */
export function registeredSecretCount(): number {
  return secrets.size;
}

/**
 * Registers the passwords written inline in a config: `*.password` keys
 * (ssl.key.password, ssl.keystore.password, ...) and the password of a
 * `sasl.jaas.config`, prefixed ones (producer., consumer., admin.) too.
 */
export function registerInlinePasswords(config: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(config)) {
    if (/(^|\.)password$/.test(key)) registerSecret(value);
    if (/(^|\.)sasl\.jaas\.config$/.test(key))
      for (const m of value.matchAll(/password\s*=\s*"([^"]*)"/g)) registerSecret(m[1]!);
  }
}
