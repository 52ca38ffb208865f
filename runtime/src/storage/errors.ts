// Errors of the worker's stores. A store that cannot write keeps what it had
// (memory and disk agree) and says so with StoreUnavailableError: REST
// answers 503 with the reason, and the caller may retry.
import { ConnectError } from '../sdk/errors.js';

/** A store write failed (read-only or full volume, broker away); nothing changed. Retriable; HTTP 503. */
export class StoreUnavailableError extends ConnectError {
  override readonly code = 'STORE_UNAVAILABLE';
  override readonly retriable = true;
  readonly status = 503;
}
