// Reading and checking request bodies. Everything here treats the body as
// hostile: bounded size, strict UTF-8, JSON only, and explicit type checks so
// that a wrong shape is a 400 rather than a TypeError (500) deeper down.
import type { IncomingMessage } from 'node:http';
import type { ConnectorConfig } from '../herder/types.js';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './http-errors.js';
import { RestError } from '../errors.js';

/**
 * Reads the whole body, failing with 413 as soon as it exceeds `maxBytes`
 * (from Content-Length before reading anything, else while streaming) and
 * then reading no further.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(payloadTooLarge(maxBytes));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering; the server answers 413 with Connection: close.
        req.pause();
        chunks.length = 0;
        fail(payloadTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => fail(new RestError(400, `Request body could not be read: ${err.message}`));
    const onClose = () => fail(new RestError(400, 'Request body was not fully received'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const JSON_TYPES = /^(application\/json|application\/[a-z0-9.+-]*\+json|text\/plain)$/;

/**
 * Parses a JSON body; `undefined` when it is empty. A Content-Type that is
 * clearly not JSON (a form post) gets 415 as in Kafka; a missing one or
 * `text/plain` (what fetch sends for a string) is accepted.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (contentType !== undefined) {
    const [mediaType = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
    if (mediaType !== '' && !JSON_TYPES.test(mediaType)) throw unsupportedMediaType();
    const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
    if (charset !== undefined && !['utf-8', 'utf8', '"utf-8"'].includes(charset)) throw unsupportedMediaType();
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw badRequest('Request body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.slice(0, 200) : '';
    throw badRequest(`Request body is not valid JSON: ${detail}`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) throw badRequest(`${what} is required`);
  if (!isPlainObject(value)) throw badRequest(`${what} must be a JSON object`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Like Jackson's Map<String,String>: scalars become strings; nested values are refused. */
function coerceScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A connector config map; `null` values are refused (use PATCH to delete a key). */
export function toConnectorConfig(value: unknown, what = 'Connector configuration'): ConnectorConfig {
  const obj = requireObject(value, what);
  // Object.fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(
    Object.entries(obj).map(([key, v]) => {
      const s = coerceScalar(v);
      if (s === undefined)
        throw badRequest(`Invalid value for configuration '${key}': expected a string, got ${describe(v)}`);
      return [key, s];
    }),
  );
}

/** A PATCH of a connector config: like a config, but `null` deletes the key. */
export function toConfigPatch(value: unknown): Record<string, string | null> {
  const obj = requireObject(value, 'Connector configuration patch');
  return Object.fromEntries(
    Object.entries(obj).map(([key, v]) => {
      if (v === null) return [key, null];
      const s = coerceScalar(v);
      if (s === undefined)
        throw badRequest(`Invalid value for configuration '${key}': expected a string or null, got ${describe(v)}`);
      return [key, s];
    }),
  );
}
