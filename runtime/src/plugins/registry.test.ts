import { expect } from 'chai';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PluginRegistry } from './registry.js';

describe('PluginRegistry', () => {
  it('loads plugins from plugin.path (files and directories with index.js) and reports broken ones', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'plugins-'));
    await writeFile(
      path.join(root, 'upper.mjs'),
      `class Upper { configure() {} apply(r) { return { ...r, value: String(r.value).toUpperCase() }; } config() { return { keys: () => [] }; } }
       export const plugins = [{ type: 'transformation', class: 'com.example.Upper', aliases: ['Upper'], version: '1.2.3', create: Upper }];`,
    );
    await mkdir(path.join(root, 'dir-plugin'));
    await writeFile(
      path.join(root, 'dir-plugin', 'index.js'),
      `export const plugins = [{ type: 'predicate', class: 'com.example.Always', version: '1', create: class { test() { return true; } } }];`,
    );
    await writeFile(path.join(root, 'broken.mjs'), 'export const plugins = [;');
    const registry = new PluginRegistry();
    const errors = await registry.loadPluginPath([root, path.join(root, 'missing')]);
    expect(registry.resolve('Upper', ['transformation'], 'transforms.u.type').version).to.equal('1.2.3');
    expect(registry.resolve('com.example.Always', ['predicate'], 'predicates.a.type').class).to.equal(
      'com.example.Always',
    );
    expect(errors.map((e) => path.basename(e.path))).to.have.members(['broken.mjs', 'missing']);
    expect(() => registry.resolve('Upper', ['source', 'sink'], 'connector.class')).to.throw(
      /Class Upper could not be found/,
    );
  });
});
