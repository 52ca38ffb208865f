// /admin/loggers/...: Kafka Connect's LoggingResource (KIP-495, KIP-976).
import type { Herder } from '../herder/types.js';
import { requireObject } from './body.js';
import { badRequest, notFound } from './http-errors.js';
import type { AddRoute, RestLogger } from './types.js';

/** log4j's levels: Kafka refuses anything Level.toLevel does not know. */
const LEVELS = new Set(['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'ALL']);

export function registerLoggerRoutes(add: AddRoute, herder: Herder, logger: RestLogger): void {
  add('GET', '/admin/loggers', async () => ({ status: 200, body: await herder.loggers() }));

  add('GET', '/admin/loggers/{logger}', async (req) => {
    const name = req.params['logger']!;
    const level = await herder.logger(name);
    // The contract says the herder throws NotFoundError; tolerate a missing value too.
    if (level === null || level === undefined) throw notFound(`Logger ${name} not found.`);
    return { status: 200, body: level };
  });

  add('PUT', '/admin/loggers/{logger}', async (req) => {
    const namespace = req.params['logger']!;
    const body = requireObject(req.json(), 'Request body');
    const level = body['level'];
    if (level === undefined || level === null) {
      throw badRequest("Desired 'level' parameter was not specified in request.");
    }
    if (typeof level !== 'string') throw badRequest("'level' must be a string");
    // Kafka answers 404 here (its NotFoundException), odd as it is.
    if (!LEVELS.has(level.toUpperCase())) throw notFound(`invalid log level '${level}'.`);

    const scope = req.query.get('scope');
    if (scope !== null && scope.toLowerCase() === 'cluster') {
      await herder.setClusterLoggerLevel(namespace, level);
      return { status: 204 };
    }
    if (scope !== null && scope.toLowerCase() !== 'worker') {
      // Kafka falls back to the worker scope for an unknown one.
      logger.warn('Invalid logger scope; defaulting to worker', { scope: scope.slice(0, 100) });
    }
    return { status: 200, body: await herder.setWorkerLoggerLevel(namespace, level) };
  });
}
