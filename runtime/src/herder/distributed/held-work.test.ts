// HeldWork's books and its writes, against a fake worker and config topic:
// which tasks are new, what a task was started with and how often, what a
// release forgets, and when the connector's owner writes task configs.
import { expect } from 'chai';
import type { ConnectorConfig } from '../../vocabulary/connector.js';
import { HeldWork } from './held-work.js';
import {
  FakeConfigStore,
  FakeWorker,
  SINK,
  SOURCE,
  asConfigs,
  asWorker,
  silentLog,
  task,
} from './fakes.test-support.js';

function setup() {
  const worker = new FakeWorker();
  const configs = new FakeConfigStore();
  const reconfigured: string[] = [];
  const held = new HeldWork({
    worker: asWorker(worker),
    configs: asConfigs(configs),
    log: silentLog,
    reconfigure: (name) => reconfigured.push(name),
  });
  return { worker, configs, held, reconfigured };
}

describe('distributed herder: held work', () => {
  it('takeTasks returns only the tasks not held before', () => {
    const { held } = setup();
    expect(held.takeTasks([task('a', 0), task('a', 1)])).to.deep.equal([task('a', 0), task('a', 1)]);
    expect(held.takeTasks([task('a', 1), task('b', 0)])).to.deep.equal([task('b', 0)]);
    expect(held.taskCount).to.equal(3);
    expect(held.holdsTask(task('b', 0))).to.equal(true);
    expect(held.taskIds('a')).to.deep.equal([task('a', 0), task('a', 1)]);
  });

  it('startTask starts the task with its committed config, remembers it and counts the starts', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE }, 'PAUSED', [{ file: 'x' }]);
    held.takeTasks([task('a', 0)]);
    await held.startTask(task('a', 0));
    await held.startTask(task('a', 0));
    expect(worker.callsOf('startTask')[0]).to.deep.equal([
      'a-0',
      { 'connector.class': SOURCE },
      { file: 'x' },
      'PAUSED',
    ]);
    expect(held.view().taskStarts).to.deep.equal({ 'a-0': 2 });
    expect(held.taskConfigChanged(task('a', 0), { file: 'x' })).to.equal(false);
    expect(held.taskConfigChanged(task('a', 0), { file: 'y' })).to.equal(true);
  });

  it('startTask without a committed config starts nothing and counts nothing, and the task stays held', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE }, 'STARTED', []);
    held.takeTasks([task('a', 0)]);
    await held.startTask(task('a', 0));
    expect(worker.callsOf('startTask')).to.deep.equal([]);
    expect(held.view().taskStarts).to.deep.equal({});
    expect(held.holdsTask(task('a', 0))).to.equal(true);
    // Once committed, the config counts as changed, so the config reactor starts it.
    expect(held.taskConfigChanged(task('a', 0), { file: 'x' })).to.equal(true);
  });

  it('releaseTasks stops the tasks and forgets them and their configs, but keeps the start counts', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE }, 'STARTED', [{ file: 'x' }, { file: 'y' }]);
    held.takeTasks([task('a', 0), task('a', 1)]);
    await held.startTask(task('a', 0));
    await held.releaseTasks([task('a', 0)]);
    expect(worker.callsOf('stopTasks')).to.deep.equal([[['a-0']]]);
    expect(held.holdsTask(task('a', 0))).to.equal(false);
    expect(held.taskIds()).to.deep.equal([task('a', 1)]);
    expect(held.taskConfigChanged(task('a', 0), { file: 'x' })).to.equal(true);
    // Taken again, it is new.
    expect(held.takeTasks([task('a', 0)])).to.deep.equal([task('a', 0)]);
    expect(held.view().taskStarts).to.deep.equal({ 'a-0': 1 });
  });

  it('takeConnector starts the connector from its stored config and remembers config and target', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE, topic: 't' }, 'PAUSED');
    await held.takeConnector('a');
    expect(held.holdsConnector('a')).to.equal(true);
    expect(worker.callsOf('startConnector')).to.deep.equal([
      ['a', { 'connector.class': SOURCE, topic: 't' }, 'PAUSED'],
    ]);
    expect(held.startedWith('a')).to.deep.equal({
      config: JSON.stringify({ 'connector.class': SOURCE, topic: 't' }),
      target: 'PAUSED',
    });
    // A paused connector writes no task configs.
    expect(worker.callsOf('connectorTaskConfigs')).to.deep.equal([]);
  });

  it('a connector whose config is gone is held but not started', async () => {
    const { held, worker } = setup();
    await held.takeConnector('gone');
    expect(held.holdsConnector('gone')).to.equal(true);
    expect(worker.callsOf('startConnector')).to.deep.equal([]);
    expect(held.startedWith('gone')).to.equal(undefined);
  });

  it('a connector that throws on start does not throw out of startConnector and writes no task configs', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE });
    worker.failingStarts.add('a');
    worker.generated.set('a', [{ file: 'x' }]);
    await held.takeConnector('a');
    expect(held.startedWith('a')?.target).to.equal('STARTED');
    expect(configs.writes).to.deep.equal([]);
  });

  it('releaseConnector stops it and forgets what it was started with', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE }, 'PAUSED');
    await held.takeConnector('a');
    await held.releaseConnector('a');
    expect(worker.callsOf('stopConnector')).to.deep.equal([['a']]);
    expect(held.holdsConnector('a')).to.equal(false);
    expect(held.startedWith('a')).to.equal(undefined);
    expect(held.connectorCount).to.equal(0);
  });

  it('targetChanged updates the target of a running connector only', async () => {
    const { held, configs } = setup();
    configs.set('a', { 'connector.class': SOURCE }, 'PAUSED');
    await held.takeConnector('a');
    held.targetChanged('a', 'STOPPED');
    held.targetChanged('other', 'PAUSED');
    expect(held.startedWith('a')?.target).to.equal('STOPPED');
    expect(held.startedWith('other')).to.equal(undefined);
  });

  it('releaseAll stops the worker and holds nothing', async () => {
    const { held, configs, worker } = setup();
    configs.set('a', { 'connector.class': SOURCE }, 'PAUSED', [{ file: 'x' }]);
    await held.takeConnector('a');
    held.takeTasks([task('a', 0)]);
    await held.releaseAll();
    expect(worker.methods()).to.include('stop');
    expect(held.view()).to.deep.include({ connectors: [], tasks: [] });
  });

  it('view lists connectors and tasks sorted', () => {
    const { held } = setup();
    held.takeTasks([task('b', 1), task('a', 10), task('a', 2)]);
    expect(held.view().tasks).to.deep.equal([task('a', 2), task('a', 10), task('b', 1)]);
  });

  it('isSource asks the worker about the stored config, false for an unknown connector', () => {
    const { held, configs } = setup();
    configs.set('src', { 'connector.class': SOURCE }).set('snk', { 'connector.class': SINK });
    expect(held.isSource('src')).to.equal(true);
    expect(held.isSource('snk')).to.equal(false);
    expect(held.isSource('missing')).to.equal(false);
  });

  describe('generateTaskConfigs', () => {
    async function running(
      target: 'STARTED' | 'PAUSED' | 'STOPPED' = 'STARTED',
      taskConfigs: ConnectorConfig[] = [{ file: 'x' }],
    ) {
      const s = setup();
      s.configs.set('a', { 'connector.class': SOURCE }, target, taskConfigs);
      s.worker.running.add('a');
      return s;
    }

    it('writes the task configs the connector generates when they changed', async () => {
      const { held, worker, configs } = await running();
      worker.generated.set('a', [{ file: 'x' }, { file: 'y' }]);
      await held.generateTaskConfigs('a');
      expect(configs.writes).to.deep.equal([
        { method: 'putTaskConfigs', name: 'a', value: [{ file: 'x' }, { file: 'y' }] },
      ]);
    });

    it('writes nothing when the configs are the same, whatever the key order (canonical JSON)', async () => {
      const { held, worker, configs } = await running('STARTED', [{ a: '1', b: '2' }]);
      worker.generated.set('a', [{ b: '2', a: '1' }]);
      await held.generateTaskConfigs('a');
      expect(configs.writes).to.deep.equal([]);
      expect(worker.callsOf('fenceSourceTasks')).to.deep.equal([]);
    });

    it('asks nothing and writes nothing for a connector that is not STARTED', async () => {
      for (const target of ['PAUSED', 'STOPPED'] as const) {
        const { held, worker, configs } = await running(target);
        worker.generated.set('a', [{ file: 'new' }]);
        await held.generateTaskConfigs('a');
        expect(configs.writes, target).to.deep.equal([]);
        expect(worker.callsOf('connectorTaskConfigs'), target).to.deep.equal([]);
      }
    });

    it('writes nothing for a connector that is not running here, or is gone', async () => {
      const { held, worker, configs } = await running();
      worker.running.delete('a');
      worker.generated.set('a', [{ file: 'new' }]);
      await held.generateTaskConfigs('a');
      await held.generateTaskConfigs('missing');
      expect(configs.writes).to.deep.equal([]);
    });

    it('writes nothing when the connector fails to generate', async () => {
      const { held, worker, configs } = await running();
      worker.generated.set('a', new Error('boom'));
      await held.generateTaskConfigs('a');
      expect(configs.writes).to.deep.equal([]);
    });

    it('fences the previous generation first; a fencing failure writes nothing', async () => {
      const { held, worker, configs } = await running();
      worker.generated.set('a', [{ file: 'new' }]);
      worker.fence = new Error('fencing timed out');
      await held.generateTaskConfigs('a');
      expect(worker.callsOf('fenceSourceTasks')).to.deep.equal([
        ['a', { 'connector.class': SOURCE }, [{ file: 'x' }], [{ file: 'new' }]],
      ]);
      expect(configs.writes).to.deep.equal([]);
    });

    it('writes the task count record only after a fencing (exactly-once source)', async () => {
      const { held, worker, configs } = await running();
      worker.generated.set('a', [{ file: 'new' }, { file: 'new2' }]);
      worker.fence = true;
      await held.generateTaskConfigs('a');
      expect(configs.writes.map((w) => [w.method, w.value])).to.deep.equal([
        ['putTaskConfigs', [{ file: 'new' }, { file: 'new2' }]],
        ['putTaskCount', 2],
      ]);
    });

    it('starting a STARTED connector writes its task configs; a connector asking to reconfigure calls back', async () => {
      const { held, worker, configs, reconfigured } = setup();
      configs.set('a', { 'connector.class': SOURCE }, 'STARTED', []);
      worker.generated.set('a', [{ file: 'x' }]);
      await held.takeConnector('a');
      expect(configs.writes).to.deep.equal([{ method: 'putTaskConfigs', name: 'a', value: [{ file: 'x' }] }]);
      expect(reconfigured).to.deep.equal([]);
      worker.reconfigureCallbacks.get('a')!();
      expect(reconfigured).to.deep.equal(['a']);
    });
  });
});
