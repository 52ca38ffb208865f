// The HTTP sink's settings: where and how batches are sent, how they are
// batched, retried and secured. Names follow the common HTTP sink connectors
// (http.api.url, request.method, headers, batch.*, max.retries,
// retry.backoff.ms) so existing configs read naturally.
import { ConfigDef, ConfigError, Validators, type RawConfig } from '../../sdk/index.js';

export interface HttpSinkConfig {
  readonly url: URL;
  readonly method: 'POST' | 'PUT';
  /** static headers, credentials included (resolved from config providers by the framework) */
  readonly headers: Readonly<Record<string, string>>;
  /** true: a JSON array per request; false: one record per request */
  readonly asArray: boolean;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly lingerMs: number;
  readonly valueFormat: 'json' | 'raw';
  readonly nullValues: 'ignore' | 'fail';
  /** -1: forever */
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  readonly retryAfterMaxMs: number;
  readonly timeoutMs: number;
  readonly caFile: string | null;
  readonly caPem: string | null;
}

const GROUP_HTTP = 'HTTP';
const GROUP_BATCH = 'Batching';
const GROUP_RETRY = 'Retries';
const GROUP_TLS = 'TLS';

export function httpSinkConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({
      name: 'http.api.url',
      type: 'STRING',
      defaultValue: undefined,
      importance: 'HIGH',
      group: GROUP_HTTP,
      documentation: 'The http:// or https:// URL every request goes to.',
      validator: (name, value) => {
        parseUrl(name, value);
      },
    })
    .define({
      name: 'request.method',
      type: 'STRING',
      defaultValue: 'POST',
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation: 'POST or PUT.',
      validator: Validators.oneOf('POST', 'PUT'),
    })
    .define({
      name: 'headers',
      type: 'STRING',
      defaultValue: '',
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation:
        'Headers added to every request, as Name:Value pairs separated by header.separator, e.g. ' +
        '"X-Team:payments|Authorization:${file:/mnt/secrets/api.properties:auth}". Put credentials in a config ' +
        'provider placeholder: the stored and returned config keeps the placeholder.',
    })
    .define({
      name: 'header.separator',
      type: 'STRING',
      defaultValue: '|',
      importance: 'LOW',
      group: GROUP_HTTP,
      documentation: 'What separates the pairs in headers.',
      validator: Validators.nonEmptyString(),
    })
    .define({
      name: 'auth.type',
      type: 'STRING',
      defaultValue: 'none',
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation:
        'none, basic (connection.user and connection.password) or bearer (bearer.token): adds the Authorization header.',
      validator: Validators.oneOf('none', 'basic', 'bearer'),
    })
    .define({
      name: 'connection.user',
      type: 'STRING',
      defaultValue: null,
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation: 'The user for auth.type=basic.',
    })
    .define({
      name: 'connection.password',
      type: 'PASSWORD',
      defaultValue: null,
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation: 'The password for auth.type=basic; use a config provider placeholder.',
    })
    .define({
      name: 'bearer.token',
      type: 'PASSWORD',
      defaultValue: null,
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation: 'The token for auth.type=bearer; use a config provider placeholder.',
    })
    .define({
      name: 'request.timeout.ms',
      type: 'LONG',
      defaultValue: 30_000,
      importance: 'MEDIUM',
      group: GROUP_HTTP,
      documentation: 'How long one request may take, connecting included; a request that takes longer is retried.',
      validator: Validators.atLeast(1),
    })
    .define({
      name: 'batch.json.as.array',
      type: 'BOOLEAN',
      defaultValue: true,
      importance: 'MEDIUM',
      group: GROUP_BATCH,
      documentation: 'true: each request carries a JSON array of record values; false: one record value per request.',
    })
    .define({
      name: 'batch.max.size',
      type: 'INT',
      defaultValue: 500,
      importance: 'MEDIUM',
      group: GROUP_BATCH,
      documentation: 'The most records in one request.',
      validator: Validators.atLeast(1),
    })
    .define({
      name: 'batch.max.bytes',
      type: 'INT',
      defaultValue: 1_048_576,
      importance: 'MEDIUM',
      group: GROUP_BATCH,
      documentation: 'The largest request body in bytes (a single larger record is still sent, alone).',
      validator: Validators.atLeast(1),
    })
    .define({
      name: 'batch.linger.ms',
      type: 'LONG',
      defaultValue: 50,
      importance: 'MEDIUM',
      group: GROUP_BATCH,
      documentation:
        'How long a batch that is not full waits for more records before it is sent (0: send at the end of every put).',
      validator: Validators.atLeast(0),
    })
    .define({
      name: 'record.value.format',
      type: 'STRING',
      defaultValue: 'json',
      importance: 'MEDIUM',
      group: GROUP_BATCH,
      documentation:
        'json: each record value is rendered as JSON (structs and maps as objects, bytes as base64, a string as a ' +
        'JSON string); raw: string and bytes values are JSON text already and are inserted as they are.',
      validator: Validators.oneOf('json', 'raw'),
    })
    .define({
      name: 'behavior.on.null.values',
      type: 'STRING',
      defaultValue: 'ignore',
      importance: 'LOW',
      group: GROUP_BATCH,
      documentation: 'What a record with a null value (a tombstone) does: ignore (skipped) or fail (the task fails).',
      validator: Validators.oneOf('ignore', 'fail'),
    })
    .define({
      name: 'max.retries',
      type: 'INT',
      defaultValue: 10,
      importance: 'MEDIUM',
      group: GROUP_RETRY,
      documentation:
        'How often a request is retried after a 5xx, 408, 429, a timeout or a network error before the task fails ' +
        '(-1: without end). A 4xx is not retried: the record goes to errors.tolerance and the dead letter queue.',
      validator: Validators.atLeast(-1),
    })
    .define({
      name: 'retry.backoff.ms',
      type: 'LONG',
      defaultValue: 100,
      importance: 'LOW',
      group: GROUP_RETRY,
      documentation: 'The wait before the first retry; it doubles with each retry (with 20% jitter).',
      validator: Validators.atLeast(0),
    })
    .define({
      name: 'retry.backoff.max.ms',
      type: 'LONG',
      defaultValue: 10_000,
      importance: 'LOW',
      group: GROUP_RETRY,
      documentation: 'The longest wait between retries.',
      validator: Validators.atLeast(0),
    })
    .define({
      name: 'retry.after.max.ms',
      type: 'LONG',
      defaultValue: 300_000,
      importance: 'LOW',
      group: GROUP_RETRY,
      documentation: 'The longest Retry-After (of a 429 or 503) that is honoured; a longer one is cut to this.',
      validator: Validators.atLeast(0),
    })
    .define({
      name: 'ssl.ca.file',
      type: 'STRING',
      defaultValue: null,
      importance: 'MEDIUM',
      group: GROUP_TLS,
      documentation:
        'A PEM file of the CA certificates that sign the server certificate of an https:// URL (e.g. a mounted ' +
        'Secret); without it (and ssl.ca.pem) the system CAs are used.',
    })
    .define({
      name: 'ssl.ca.pem',
      type: 'PASSWORD',
      defaultValue: null,
      importance: 'LOW',
      group: GROUP_TLS,
      documentation: 'The CA certificates as PEM text (e.g. from a config provider), instead of ssl.ca.file.',
    });
}

export function parseHttpSinkConfig(props: RawConfig): HttpSinkConfig {
  const p = httpSinkConfigDef().parse(props);
  const headers = parseHeaders('headers', p['headers'] as string, p['header.separator'] as string);
  const auth = p['auth.type'] as string;
  if (auth === 'basic') {
    const user = p['connection.user'] as string | null;
    if (!user) throw new ConfigError('connection.user', 'required with auth.type=basic');
    const password = (p['connection.password'] as string | null) ?? '';
    headers['Authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  } else if (auth === 'bearer') {
    const token = p['bearer.token'] as string | null;
    if (!token) throw new ConfigError('bearer.token', 'required with auth.type=bearer');
    headers['Authorization'] = `Bearer ${token}`;
  }
  return {
    url: parseUrl('http.api.url', p['http.api.url']),
    method: String(p['request.method']).toUpperCase() as 'POST' | 'PUT',
    headers,
    asArray: p['batch.json.as.array'] as boolean,
    maxRecords: p['batch.max.size'] as number,
    maxBytes: p['batch.max.bytes'] as number,
    lingerMs: p['batch.linger.ms'] as number,
    valueFormat: String(p['record.value.format']).toLowerCase() as 'json' | 'raw',
    nullValues: String(p['behavior.on.null.values']).toLowerCase() as 'ignore' | 'fail',
    maxRetries: p['max.retries'] as number,
    backoffMs: p['retry.backoff.ms'] as number,
    backoffMaxMs: p['retry.backoff.max.ms'] as number,
    retryAfterMaxMs: p['retry.after.max.ms'] as number,
    timeoutMs: p['request.timeout.ms'] as number,
    caFile: (p['ssl.ca.file'] as string | null) || null,
    caPem: (p['ssl.ca.pem'] as string | null) || null,
  };
}

function parseUrl(name: string, value: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ConfigError(name, `"${String(value)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be http:// or https://');
  return url;
}

/** `A:1|B:2` into {A: '1', B: '2'}; the value may contain ':' (only the first one splits). */
export function parseHeaders(name: string, raw: string, separator: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw.split(separator)) {
    if (pair.trim() === '') continue;
    const colon = pair.indexOf(':');
    const key = colon < 0 ? '' : pair.slice(0, colon).trim();
    // Never echo the value: it may hold a credential.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      throw new ConfigError(name, `each header must be Name:Value with a valid name (got name "${key}")`);
    out[key] = pair.slice(colon + 1).trim();
  }
  return out;
}
