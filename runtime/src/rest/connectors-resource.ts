// /connectors/...: Kafka Connect's ConnectorsResource. Each handler checks
// the request's shape, makes one herder call (or a few, for ?expand=) and
// returns the herder's entity as is.
import type { ConnectorOffset, ConnectorOffsets, Herder, InitialState } from '../herder/types.js';
import { taskKey } from '../vocabulary/task-id.js';
import { isPlainObject, requireObject, toConfigPatch, toConnectorConfig } from './body.js';
import { badRequest, notFound, statusOf } from './http-errors.js';
import type { AddRoute, RestLogger, RestRequest } from './types.js';

const INITIAL_STATES: readonly InitialState[] = ['RUNNING', 'PAUSED', 'STOPPED'];

/** JAX-RS boolean query params: only "true" (any case) is true. */
export function booleanParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  return value === null ? fallback : value.toLowerCase() === 'true';
}

/** Kafka's checkAndPutConnectorConfigName: the body's `name` must match, and is filled in when absent. */
function withConnectorName(name: string, config: Record<string, string>): Record<string, string> {
  if (name === '') throw badRequest('Connector name is required');
  const included = config['name'];
  if (included !== undefined && included !== name) {
    throw badRequest(`Connector name configuration (${included}) doesn't match connector name in the URL (${name})`);
  }
  return { ...config, name };
}

/** Absolute like Jersey's `Response.created`, when the Host header is usable; relative otherwise. */
function location(req: RestRequest, name: string): string {
  const path = `/connectors/${encodeURIComponent(name)}`;
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}${path}` : path;
}

function taskParam(req: RestRequest): number {
  const raw = req.params['task']!;
  // JAX-RS answers 404 when a path param does not convert to its type.
  if (!/^\d{1,9}$/.test(raw)) throw notFound(`Task ${raw} of connector ${req.params['connector']} not found`);
  return Number(raw);
}

function toOffsets(value: unknown): ConnectorOffsets {
  const body = requireObject(value, 'Offsets request body');
  const list = body['offsets'];
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    throw badRequest('Partitions / offsets need to be provided for an alter offsets request');
  }
  if (!Array.isArray(list)) throw badRequest("'offsets' must be a JSON array");
  const offsets: ConnectorOffset[] = list.map((entry, i) => {
    if (!isPlainObject(entry)) throw badRequest(`offsets[${i}] must be a JSON object`);
    const { partition, offset } = entry;
    if (!isPlainObject(partition)) throw badRequest(`offsets[${i}].partition must be a JSON object`);
    if (offset !== null && offset !== undefined && !isPlainObject(offset)) {
      throw badRequest(`offsets[${i}].offset must be a JSON object or null`);
    }
    return { partition, offset: offset ?? null };
  });
  return { offsets };
}

export function registerConnectorRoutes(add: AddRoute, herder: Herder, logger: RestLogger): void {
  const name = (req: RestRequest) => req.params['connector']!;

  add('GET', '/connectors', async (req) => {
    const connectors = await herder.connectors();
    const expand = req.query.getAll('expand');
    if (expand.length === 0) return { status: 200, body: connectors };
    const entries = await Promise.all(
      connectors.map(async (c) => {
        try {
          const out: Record<string, unknown> = {};
          for (const e of expand) {
            if (e === 'status') out['status'] = await herder.connectorStatus(c);
            else if (e === 'info') out['info'] = await herder.connectorInfo(c);
            else logger.info('Ignoring unknown expansion type', { expansion: e.slice(0, 100) });
          }
          return [c, out] as const;
        } catch (err) {
          // Deleted while we looked it up: leave it out, as Kafka does.
          if (statusOf(err) === 404) return undefined;
          throw err;
        }
      }),
    );
    return { status: 200, body: Object.fromEntries(entries.filter((e) => e !== undefined)) };
  });

  add('POST', '/connectors', async (req) => {
    const body = requireObject(req.json(), 'Request body');
    if (body['name'] === undefined || body['name'] === null) throw badRequest('Connector name is required');
    if (typeof body['name'] !== 'string') throw badRequest('Connector name must be a string');
    const connector = body['name'].trim();
    const config = withConnectorName(connector, toConnectorConfig(body['config']));
    let initialState: InitialState | undefined;
    const rawState = body['initial_state'];
    if (rawState !== undefined && rawState !== null) {
      const upper = typeof rawState === 'string' ? rawState.toUpperCase() : '';
      if (!INITIAL_STATES.includes(upper as InitialState)) {
        throw badRequest(
          `Invalid initial_state ${JSON.stringify(rawState)}: must be one of ${INITIAL_STATES.join(', ')}`,
        );
      }
      initialState = upper as InitialState;
    }
    const options = initialState ? { allowReplace: false, initialState } : { allowReplace: false };
    const { info } = await herder.putConnectorConfig(connector, config, options);
    return { status: 201, body: info, headers: { Location: location(req, connector) } };
  });

  add('GET', '/connectors/{connector}', async (req) => ({ status: 200, body: await herder.connectorInfo(name(req)) }));

  add('DELETE', '/connectors/{connector}', async (req) => {
    await herder.deleteConnector(name(req));
    return { status: 204 };
  });

  add('GET', '/connectors/{connector}/config', async (req) => ({
    status: 200,
    body: await herder.connectorConfig(name(req)),
  }));

  add('PUT', '/connectors/{connector}/config', async (req) => {
    const connector = name(req);
    const config = withConnectorName(connector, toConnectorConfig(req.json()));
    const { created, info } = await herder.putConnectorConfig(connector, config, { allowReplace: true });
    return created
      ? { status: 201, body: info, headers: { Location: location(req, connector) } }
      : { status: 200, body: info };
  });

  add('PATCH', '/connectors/{connector}/config', async (req) => {
    const connector = name(req);
    const patch = toConfigPatch(req.json());
    const included = patch['name'];
    if (typeof included === 'string' && included !== connector) {
      throw badRequest(
        `Connector name configuration (${included}) doesn't match connector name in the URL (${connector})`,
      );
    }
    return { status: 200, body: await herder.patchConnectorConfig(connector, patch) };
  });

  add('GET', '/connectors/{connector}/status', async (req) => ({
    status: 200,
    body: await herder.connectorStatus(name(req)),
  }));

  add('POST', '/connectors/{connector}/restart', async (req) => {
    const request = {
      includeTasks: booleanParam(req.query, 'includeTasks', false),
      onlyFailed: booleanParam(req.query, 'onlyFailed', false),
    };
    const status = await herder.restartConnector(name(req), request);
    return status === null ? { status: 204 } : { status: 202, body: status };
  });

  add('PUT', '/connectors/{connector}/pause', async (req) => {
    await herder.pauseConnector(name(req));
    return { status: 202 };
  });

  add('PUT', '/connectors/{connector}/resume', async (req) => {
    await herder.resumeConnector(name(req));
    return { status: 202 };
  });

  add('PUT', '/connectors/{connector}/stop', async (req) => {
    await herder.stopConnector(name(req));
    return { status: 204 };
  });

  add('GET', '/connectors/{connector}/tasks', async (req) => ({
    status: 200,
    body: await herder.taskConfigs(name(req)),
  }));

  // Deprecated (KIP-970) map form, keyed by ConnectorTaskId.toString().
  add('GET', '/connectors/{connector}/tasks-config', async (req) => {
    const tasks = await herder.taskConfigs(name(req));
    return {
      status: 200,
      body: Object.fromEntries(tasks.map((t) => [taskKey(t.id), t.config])),
    };
  });

  add('GET', '/connectors/{connector}/tasks/{task}/status', async (req) => {
    const task = taskParam(req);
    return { status: 200, body: await herder.taskStatus(name(req), task) };
  });

  add('POST', '/connectors/{connector}/tasks/{task}/restart', async (req) => {
    const task = taskParam(req);
    await herder.restartTask(name(req), task);
    return { status: 204 };
  });

  add('GET', '/connectors/{connector}/offsets', async (req) => ({
    status: 200,
    body: await herder.connectorOffsets(name(req)),
  }));

  add('PATCH', '/connectors/{connector}/offsets', async (req) => {
    const offsets = toOffsets(req.json());
    return { status: 200, body: { message: await herder.alterConnectorOffsets(name(req), offsets) } };
  });

  add('DELETE', '/connectors/{connector}/offsets', async (req) => ({
    status: 200,
    body: { message: await herder.resetConnectorOffsets(name(req)) },
  }));

  add('GET', '/connectors/{connector}/topics', async (req) => {
    const connector = name(req);
    const topics = await herder.connectorActiveTopics(connector);
    return { status: 200, body: { [connector]: { topics } } };
  });

  add('PUT', '/connectors/{connector}/topics/reset', async (req) => {
    await herder.resetConnectorActiveTopics(name(req));
    return { status: 202 };
  });
}
