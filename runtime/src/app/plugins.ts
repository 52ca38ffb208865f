// Every built-in plugin, registered the same way plugin.path modules are.
import { PluginRegistry } from '../plugins/registry.js';
import { plugins as connectors } from '../connectors/index.js';
import { plugins as converters } from '../converters/index.js';
import { plugins as transforms } from '../transforms/index.js';

export function builtinPlugins(): PluginRegistry {
  return new PluginRegistry([...connectors, ...converters, ...transforms]);
}
