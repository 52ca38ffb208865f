// Finds plugins by the class name a config names: built-ins first, then JS
// modules under `plugin.path` that export `plugins: PluginDescriptor[]`.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type PluginDescriptor, type PluginType } from '../sdk/index.js';

type Of<T extends PluginType> = Extract<PluginDescriptor, { type: T }>;

export class PluginRegistry {
  private readonly byName = new Map<string, PluginDescriptor[]>();
  private readonly all: PluginDescriptor[] = [];

  constructor(descriptors: Iterable<PluginDescriptor> = []) {
    for (const d of descriptors) this.add(d);
  }

  add(d: PluginDescriptor): void {
    this.all.push(d);
    for (const name of [d.class, ...(d.aliases ?? [])]) {
      const list = this.byName.get(name) ?? [];
      list.push(d);
      this.byName.set(name, list);
    }
  }

  /** Every plugin, in registration order. */
  list(): readonly PluginDescriptor[] {
    return this.all;
  }

  find(name: string): PluginDescriptor[] {
    return this.byName.get(name) ?? [];
  }

  /** The plugin of `type` named `name`; ConfigError naming `key` when there is none. */
  resolve<T extends PluginType>(name: string, types: readonly T[], key: string): Of<T> {
    const found = this.find(name).find((d): d is Of<T> => (types as readonly PluginType[]).includes(d.type));
    if (!found) {
      throw new ConfigError(key, `Class ${name} could not be found (no ${types.join(' or ')} plugin of that name)`);
    }
    return found;
  }

  /** Loads every module under the given paths; returns errors per path instead of failing the worker. */
  async loadPluginPath(paths: readonly string[]): Promise<Array<{ path: string; error: string }>> {
    const errors: Array<{ path: string; error: string }> = [];
    for (const root of paths) {
      for (const file of await pluginFiles(root).catch(
        (err: Error) => (errors.push({ path: root, error: err.message }), []),
      )) {
        try {
          const mod = (await import(pathToFileURL(file).href)) as { plugins?: unknown };
          if (!Array.isArray(mod.plugins)) continue;
          for (const d of mod.plugins as PluginDescriptor[]) this.add(d);
        } catch (err) {
          errors.push({ path: file, error: (err as Error).message });
        }
      }
    }
    return errors;
  }
}

/** A plugin is a .js/.mjs file, or a directory with an index.js/index.mjs (one level deep). */
async function pluginFiles(root: string): Promise<string[]> {
  const info = await stat(root);
  if (info.isFile()) return [root];
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isFile() && /\.m?js$/.test(entry.name)) out.push(full);
    else if (entry.isDirectory()) {
      for (const index of ['index.js', 'index.mjs']) {
        if (
          await stat(path.join(full, index)).then(
            () => true,
            () => false,
          )
        )
          out.push(path.join(full, index));
      }
    }
  }
  return out.sort();
}
