// What every config store must do, written once and run against each
// implementation: memory and file (config-store.test.ts) and the config
// topic (e2e/tests/runtime-kafka-stores.test.ts, against the real broker).
import { expect } from 'chai';
import type { ConfigStore, StoredConnector } from './config-store.js';

export interface ConfigStoreUnderTest {
  /** A fresh, started store over nothing stored yet. */
  create(): Promise<ConfigStore>;
  /** A second started store over what `store` wrote (a restarted or another worker); absent for memory. */
  reopen?(store: ConfigStore): Promise<ConfigStore>;
}

const source = { 'connector.class': 'FileStreamSource', 'tasks.max': '2' };
const stored: StoredConnector = {
  config: source,
  targetState: 'PAUSED',
  taskConfigs: [{ file: 'a' }, { file: 'b' }],
};

export function configStoreContract(kind: string, under: ConfigStoreUnderTest): void {
  describe(`${kind} config store (the ConfigStore contract)`, () => {
    it('stores a new connector as STARTED with no task configs, and lists names sorted', async () => {
      const store = await under.create();
      await store.putConnectorConfig('b', source);
      await store.putConnectorConfig('a', { 'connector.class': 'X' }, 'STOPPED');
      expect(store.names()).to.deep.equal(['a', 'b']);
      expect(store.get('b')).to.deep.equal({ config: source, targetState: 'STARTED', taskConfigs: [] });
      expect(store.get('a')?.targetState).to.equal('STOPPED');
      expect(store.get('missing')).to.equal(undefined);
    });

    it('keeps the target state and task configs when only the config is replaced', async () => {
      const store = await under.create();
      await store.putConnectorConfig('c', source, 'PAUSED');
      await store.putTaskConfigs('c', [{ file: 'a' }]);
      await store.putConnectorConfig('c', { ...source, 'tasks.max': '1' });
      expect(store.get('c')).to.deep.equal({
        config: { ...source, 'tasks.max': '1' },
        targetState: 'PAUSED',
        taskConfigs: [{ file: 'a' }],
      });
    });

    it('changes the target state and the task configs one at a time', async () => {
      const store = await under.create();
      await store.putConnectorConfig('c', source);
      await store.putTaskConfigs('c', [{ file: 'a' }, { file: 'b' }]);
      await store.putTargetState('c', 'STOPPED');
      await store.putTaskConfigs('c', []);
      expect(store.get('c')).to.deep.equal({ config: source, targetState: 'STOPPED', taskConfigs: [] });
    });

    it('writes config, target state and task configs together with put()', async () => {
      const store = await under.create();
      await store.put('c', stored);
      expect(store.get('c')).to.deep.equal(stored);
    });

    it('forgets a removed connector', async () => {
      const store = await under.create();
      await store.put('c', stored);
      await store.putConnectorConfig('d', source);
      await store.removeConnector('c');
      expect(store.get('c')).to.equal(undefined);
      expect(store.names()).to.deep.equal(['d']);
    });

    it('hands out copies: changing what get() returned changes nothing stored', async () => {
      const store = await under.create();
      await store.put('c', stored);
      const got = store.get('c')!;
      got.config['tasks.max'] = '9';
      got.taskConfigs.push({ file: 'z' });
      expect(store.get('c')).to.deep.equal(stored);
    });

    if (under.reopen) {
      const reopen = under.reopen;
      it('gives a restarted (or another) worker what was stored', async () => {
        const store = await under.create();
        await store.put('c', stored);
        await store.putConnectorConfig('d', source);
        await store.putConnectorConfig('e', source);
        await store.removeConnector('e');
        const again = await reopen(store);
        await again.refresh();
        expect(again.names()).to.deep.equal(['c', 'd']);
        expect(again.get('c')).to.deep.equal(stored);
        expect(again.get('d')).to.deep.equal({ config: source, targetState: 'STARTED', taskConfigs: [] });
      });
    }
  });
}
