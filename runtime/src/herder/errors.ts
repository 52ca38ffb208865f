// Errors the herder raises for callers (REST maps `status` to the HTTP
// status code, as Kafka Connect's ConnectExceptionMapper does).
import { ConnectError } from '../sdk/errors.js';

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
