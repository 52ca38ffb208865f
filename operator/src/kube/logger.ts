// The logging surface the kube plumbing needs; a winston logger satisfies it,
// and the default discards, so library code never prints on its own.

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A readable message from anything thrown (ApiException bodies included). */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; body?: unknown; message?: unknown };
    if (typeof e.code === 'number' && e.body !== undefined) {
      const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
      return `HTTP ${e.code}: ${body.slice(0, 500)}`;
    }
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}
