// Connector definitions given on the command line, as Apache's
// connect-standalone takes them: .properties files, or JSON either in the
// POST /connectors shape ({"name","config","initial_state"}) or as a flat map.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../sdk/index.js';
import type { ConnectorConfig, InitialState } from '../herder/types.js';
import { parseProperties } from '../util/properties.js';

export interface ConnectorFile {
  name: string;
  config: ConnectorConfig;
  initialState?: InitialState;
}

export async function readConnectorFile(file: string): Promise<ConnectorFile> {
  const text = await readFile(file, 'utf8');
  if (!file.endsWith('.json')) return named(file, parseProperties(text));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(undefined, `${file}: invalid JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(undefined, `${file}: expected a JSON object`);
  const obj = doc as Record<string, unknown>;
  if (obj['config'] && typeof obj['config'] === 'object') {
    const config = stringMap(file, obj['config'] as Record<string, unknown>);
    const name = typeof obj['name'] === 'string' ? obj['name'] : config['name'];
    const initial = obj['initial_state'];
    if (initial !== undefined && initial !== 'RUNNING' && initial !== 'PAUSED' && initial !== 'STOPPED') {
      throw new ConfigError(undefined, `${file}: initial_state must be RUNNING, PAUSED or STOPPED`);
    }
    return {
      ...named(file, { ...config, ...(name ? { name } : {}) }),
      initialState: initial as InitialState | undefined,
    };
  }
  return named(file, stringMap(file, obj));
}

function named(file: string, config: ConnectorConfig): ConnectorFile {
  const name = config['name'];
  if (!name) throw new ConfigError('name', `${file}: connector config has no "name"`);
  return { name, config };
}

function stringMap(file: string, obj: Record<string, unknown>): ConnectorConfig {
  const out: ConnectorConfig = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || typeof v === 'object')
      throw new ConfigError(k, `${file}: value must be a string, number or boolean`);
    out[k] = String(v);
  }
  return out;
}
