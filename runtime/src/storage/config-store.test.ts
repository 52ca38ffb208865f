import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MemoryConfigStore, type ConfigStore } from './config-store.js';
import { configStoreContract } from './config-store.contract.test-support.js';
import { FileConfigStore } from './file-config-store.js';

configStoreContract('memory', {
  create: async () => new MemoryConfigStore(),
});

describe('file config store', () => {
  let dir: string;
  const files = new Map<ConfigStore, string>();
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-config-store-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  const open = async (file: string) => {
    const store = new FileConfigStore(file);
    await store.start();
    files.set(store, file);
    return store;
  };

  configStoreContract('file', {
    create: () => open(path.join(dir, `${files.size}`, 'connectors.json')),
    reopen: (store) => open(files.get(store)!),
  });

  it('keeps the file format {"version":1,"connectors":{name:{config,targetState,taskConfigs}}}', async () => {
    const file = path.join(dir, 'format', 'connectors.json');
    const store = await open(file);
    await store.putConnectorConfig('c', { 'connector.class': 'X' });
    expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal({
      version: 1,
      connectors: { c: { config: { 'connector.class': 'X' }, targetState: 'STARTED', taskConfigs: [] } },
    });
  });
});
