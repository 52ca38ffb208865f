// The error hierarchy of the plugin SDK, mirroring Kafka Connect's exception
// classes: every error has a stable `code`, and `retriable` tells the worker
// whether retrying the same operation may succeed (KIP-298 semantics).

export class ConnectError extends Error {
  readonly code: string = 'CONNECT';
  readonly retriable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure that may go away if the operation is retried (Kafka's RetriableException). */
export class RetriableError extends ConnectError {
  override readonly code: string = 'RETRIABLE';
  override readonly retriable = true;
}

/** Data could not be converted or does not match its schema (Kafka's DataException). */
export class DataError extends ConnectError {
  override readonly code: string = 'DATA';
}

/**
 * One record the external system refused (e.g. an HTTP 4xx), handed to the
 * task's ErrantRecordReporter. `deadLetterHeaders` describe the refusal and
 * are added to the record in the dead letter queue (always, unlike the
 * framework's __connect.errors.* context headers).
 */
export class RecordRejectedError extends ConnectError {
  override readonly code: string = 'RECORD_REJECTED';
  constructor(
    message: string,
    readonly deadLetterHeaders: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A configuration value is missing or invalid (Kafka's ConfigException). */
export class ConfigError extends ConnectError {
  override readonly code: string = 'CONFIG';
  constructor(
    readonly key: string | undefined,
    message: string,
  ) {
    super(key ? `Invalid value for configuration ${key}: ${message}` : message);
  }
}

/** Renders an error the way Kafka Connect's status `trace` field shows a stack trace. */
export function traceOf(err: unknown): string {
  if (err instanceof Error) {
    let out = err.stack ?? `${err.name}: ${err.message}`;
    let cause = (err as { cause?: unknown }).cause;
    while (cause instanceof Error) {
      out += `\nCaused by: ${cause.stack ?? cause.message}`;
      cause = (cause as { cause?: unknown }).cause;
    }
    return out;
  }
  return String(err);
}
