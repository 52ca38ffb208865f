// GET / (server info), GET /health (KIP-1017) and GET /metrics.
import type { Herder, HealthState } from '../herder/types.js';
import { messageOf } from './http-errors.js';
import { maskSecrets } from '../util/secret-mask.js';
import type { AddRoute, MetricsSource } from './types.js';

const HEALTH_STATUS: Record<HealthState, number> = { healthy: 200, starting: 503, unhealthy: 500 };

/** Kafka's message when a ready worker's health check does not finish in time. */
export const HEALTH_TIMEOUT_MESSAGE =
  'Worker was unable to handle this request and may be unable to handle other requests';

export function registerRootRoutes(
  add: AddRoute,
  herder: Herder,
  options: { healthTimeoutMs: number; metrics?: MetricsSource },
): void {
  add('GET', '/', async () => ({ status: 200, body: await herder.serverInfo() }));

  add('GET', '/health', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), options.healthTimeoutMs);
    });
    const check = herder.health();
    check.catch(() => {}); // a late failure after the timeout must not be unhandled
    try {
      const result = await Promise.race([check, timeout]);
      if (result === undefined) {
        return { status: 500, body: { status: 'unhealthy', message: HEALTH_TIMEOUT_MESSAGE } };
      }
      const status = HEALTH_STATUS[result.status] ?? 500;
      return { status, body: { status: result.status, message: result.message } };
    } catch (err) {
      return { status: 500, body: { status: 'unhealthy', message: maskSecrets(messageOf(err)) } };
    } finally {
      clearTimeout(timer);
    }
  });

  const metrics = options.metrics;
  if (metrics) {
    add('GET', '/metrics', async () => {
      const { contentType, body } = await metrics();
      return { status: 200, raw: { contentType, data: body } };
    });
  }
}
