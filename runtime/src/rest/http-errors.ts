// REST errors and the mapping of any thrown value to Kafka Connect's error
// body `{"error_code","message"}` (ConnectExceptionMapper): an error's own
// numeric `status` wins (HerderError subclasses, RestError), config and data
// errors are the caller's fault (400), and everything else is a 500.
import { STATUS_CODES } from 'node:http';
import { ConfigError, DataError } from '../sdk/errors.js';
import { maskSecrets } from '../util/secret-mask.js';
import { RestError } from '../errors.js';

export interface ErrorBody {
  error_code: number;
  message: string;
}

export const badRequest = (message: string) => new RestError(400, message);
export const notFound = (message = 'HTTP 404 Not Found') => new RestError(404, message);
export const methodNotAllowed = (allowed: string[]) =>
  new RestError(405, 'HTTP 405 Method Not Allowed', { Allow: allowed.join(', ') });
export const payloadTooLarge = (limit: number) =>
  new RestError(413, `Request body is larger than the limit of ${limit} bytes`);
export const unsupportedMediaType = () => new RestError(415, 'HTTP 415 Unsupported Media Type');
export const requestTimedOut = () => new RestError(500, 'Request timed out');

/** The HTTP status for a thrown value. */
export function statusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  // Only trust a status that is really an HTTP error code.
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  if (err instanceof ConfigError || err instanceof DataError) return 400;
  return 500;
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  return String(err);
}

export function errorBody(status: number, message: string): ErrorBody {
  return { error_code: status, message };
}

export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const status = statusOf(err);
  // A resolved secret never leaves in an error message.
  const message = maskSecrets(messageOf(err) || STATUS_CODES[status] || 'Error');
  const headers = err instanceof RestError ? err.headers : {};
  return { status, body: errorBody(status, message), headers };
}
