// /connector-plugins/...: Kafka Connect's ConnectorPluginsResource.
import type { Herder } from '../herder/types.js';
import { toConnectorConfig } from './body.js';
import { badRequest } from './http-errors.js';
import { booleanParam } from './connectors-resource.js';
import type { AddRoute } from './types.js';

const CONNECTOR_SUFFIX = 'Connector';

/** Kafka's normalizedPluginName: "FileStreamSourceConnector" and "FileStreamSource" name the same plugin. */
export function normalizedPluginName(name: string): string {
  return name.endsWith(CONNECTOR_SUFFIX) && name.length > CONNECTOR_SUFFIX.length
    ? name.slice(0, -CONNECTOR_SUFFIX.length)
    : name;
}

/** True when `connectorClass` (often fully qualified) is the plugin the URL names (often a simple name). */
export function pluginMatches(connectorClass: string, pluginName: string): boolean {
  return normalizedPluginName(connectorClass).endsWith(normalizedPluginName(pluginName));
}

export function registerPluginRoutes(add: AddRoute, herder: Herder): void {
  add('GET', '/connector-plugins', async (req) => ({
    status: 200,
    body: await herder.plugins(booleanParam(req.query, 'connectorsOnly', true)),
  }));

  add('GET', '/connector-plugins/{plugin}/config', async (req) => ({
    status: 200,
    body: await herder.pluginConfig(req.params['plugin']!),
  }));

  add('PUT', '/connector-plugins/{plugin}/config/validate', async (req) => {
    const plugin = req.params['plugin']!;
    const config = toConnectorConfig(req.json());
    const included = config['connector.class'];
    if (included !== undefined && !pluginMatches(included, plugin)) {
      throw badRequest(`Included connector type ${included} does not match request type ${plugin}`);
    }
    return { status: 200, body: await herder.validateConnectorConfig(config) };
  });
}
