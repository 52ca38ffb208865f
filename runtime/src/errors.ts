// Every error the runtime itself raises, in one place, each with a stable `code` (logs, tests and
// REST bodies can name it) and, where a caller maps it to HTTP, its `status` (Kafka Connect's
// ConnectExceptionMapper). Connectors' own errors stay with their plugin (SDK errors in sdk/errors.ts,
// PostgresCdcError with its connector); errors Kafka or kafkajs raise are classified, not wrapped,
// in kafka/errors.ts and distributed/group-errors.ts.
// The `name`s of the worker's errors are the Java exception names a status trace shows in Apache
// Kafka Connect, so traces read the same in both runtimes.
import { ConnectError } from './sdk/errors.js';
import { taskKey, type TaskId } from './vocabulary/task-id.js';

// --- The herder's answers to its callers (REST, the CLI) -------------------------------------------

export class HerderError extends ConnectError {
  readonly status: number = 500;
}

export class NotFoundError extends HerderError {
  override readonly code = 'NOT_FOUND';
  override readonly status = 404;
}

export class AlreadyExistsError extends HerderError {
  override readonly code = 'ALREADY_EXISTS';
  override readonly status = 409;
}

export class BadRequestError extends HerderError {
  override readonly code = 'BAD_REQUEST';
  override readonly status = 400;
}

/** The cluster is rebalancing or the leader is unknown: retry later (HTTP 409). */
export class RebalanceInProgressError extends HerderError {
  override readonly code = 'REBALANCE_IN_PROGRESS';
  override readonly status = 409;
  override readonly retriable = true;
}

export class ForbiddenError extends HerderError {
  override readonly code = 'FORBIDDEN';
  override readonly status = 403;
}

export class NotReadyError extends HerderError {
  override readonly code = 'NOT_READY';
  override readonly status = 503;
  override readonly retriable = true;
}

export const connectorNotFound = (name: string) => new NotFoundError(`Connector ${name} not found`);

// --- Stores ------------------------------------------------------------------------------------------

/**
 * A store write failed (read-only or full volume, broker away); nothing changed: memory and disk
 * agree, REST answers 503 with the reason, and the caller may retry.
 */
export class StoreUnavailableError extends ConnectError {
  override readonly code = 'STORE_UNAVAILABLE';
  override readonly retriable = true;
  readonly status = 503;
}

// --- The REST layer ----------------------------------------------------------------------------------

/** An error raised by the REST layer itself (bad body, unknown path), carrying its HTTP status. */
export class RestError extends Error {
  readonly code = 'REST';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }
}

// --- Tasks -------------------------------------------------------------------------------------------

/** Raised when an error exceeds errors.tolerance (at the given stage); fails the task. */
export class ToleranceExceededError extends Error {
  readonly code = 'TOLERANCE_EXCEEDED';
  constructor(stage: string, cause: unknown) {
    super(`Tolerance exceeded in error handler (stage ${stage})`, { cause });
    this.name = 'ConnectException';
  }
}

/** The task was asked to stop while Kafka was still away; the operation never happened. */
export class StoppedDuringOutageError extends Error {
  readonly code = 'STOPPED_DURING_OUTAGE';
  constructor(what: string, cause: unknown) {
    super(`Stopped while waiting for Kafka to ${what}`, { cause });
    this.name = 'StoppedDuringOutageError';
  }
}

/** A task instance that lost its transactional id to a newer one: it must stop and never write again. */
export class ProducerFencedError extends Error {
  readonly code = 'PRODUCER_FENCED';
  constructor(id: TaskId, transactionalId: string, cause: unknown) {
    super(
      `Task ${taskKey(id)} was fenced out: transactional id '${transactionalId}' was taken over by a ` +
        `newer instance of the task or by the fencing of its task generation (or its transaction timed out); ` +
        `its open transaction is discarded`,
      { cause },
    );
    this.name = 'ProducerFencedException';
  }
}

// --- The Connect group protocol ----------------------------------------------------------------------

/** Bytes that do not follow the expected schema (Java: SchemaException). */
export class SchemaError extends Error {
  readonly code = 'SCHEMA';
  override readonly name = 'SchemaError';
}
