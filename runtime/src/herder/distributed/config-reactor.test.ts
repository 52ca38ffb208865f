// The config reactor against a fake worker and config topic, with the real
// HeldWork, Leader, status and log stores: what a worker does with the work
// it holds when a connector is deleted, reconfigured, paused, resumed or
// stopped, when task configs change, and when a restart or a cluster logger
// level is requested.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { MemoryStatusStore } from '../../storage/status-store.js';
import { LogRegistry } from '../../util/logging.js';
import { ConfigReactor } from './config-reactor.js';
import {
  FakeConfigStore,
  FakeWorker,
  SOURCE,
  asConfigs,
  asWorker,
  rejoins,
  silentLog,
  task,
} from './fakes.test-support.js';
import { HeldWork } from './held-work.js';
import { Leader } from './leader.js';

const config = { 'connector.class': SOURCE, file: '/in' };

function setup() {
  const worker = new FakeWorker();
  const configs = new FakeConfigStore();
  const statuses = new MemoryStatusStore();
  const logs = new LogRegistry('INFO', new Writable({ write: (_chunk, _enc, done) => done() }));
  const { reasons, rejoin } = rejoins();
  const forgotten: string[] = [];
  const held = new HeldWork({
    worker: asWorker(worker),
    configs: asConfigs(configs),
    log: silentLog,
    reconfigure() {},
  });
  const leader = new Leader({
    configs: asConfigs(configs),
    log: silentLog,
    url: 'http://self:8083',
    scheduledRebalanceMaxDelayMs: 1000,
    now: () => 0,
  });
  const reactor = new ConfigReactor({
    configs: asConfigs(configs),
    worker: asWorker(worker),
    statuses,
    logs,
    log: silentLog,
    held,
    leader,
    rejoin,
    forgetTopics: (name) => forgotten.push(name),
  });
  return { worker, configs, statuses, logs, reasons, forgotten, held, leader, reactor };
}

/** A worker that runs connector `a` (with `target`) and its two tasks. */
async function holdingA(target: 'STARTED' | 'PAUSED' | 'STOPPED' = 'STARTED') {
  const s = setup();
  s.configs.set('a', config, target, [
    { file: '/in', n: '0' },
    { file: '/in', n: '1' },
  ]);
  s.worker.generated.set('a', [
    { file: '/in', n: '0' },
    { file: '/in', n: '1' },
  ]);
  await s.held.takeConnector('a');
  for (const t of s.held.takeTasks([task('a', 0), task('a', 1)])) await s.held.startTask(t);
  s.worker.calls.length = 0;
  return s;
}

describe('distributed herder: config reactor', () => {
  describe('config changes', () => {
    it('a deleted connector releases its tasks and the connector, drops its status and forgets its topics', async () => {
      const { reactor, configs, worker, statuses, held, forgotten } = await holdingA();
      statuses.connector('a', { state: 'RUNNING', workerId: 'self:8083', generation: 1 });
      configs.connectors.delete('a');
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('stopTasks')).to.deep.equal([[['a-0', 'a-1']]]);
      expect(worker.callsOf('stopConnector')).to.deep.equal([['a']]);
      expect(held.view()).to.deep.include({ connectors: [], tasks: [] });
      expect(statuses.getConnector('a')).to.equal(undefined);
      expect(forgotten).to.deep.equal(['a']);
    });

    it("a deleted connector held elsewhere: its tasks here stop, its status is left to the connector's worker", async () => {
      const { reactor, configs, worker, statuses, held } = setup();
      configs.set('a', config, 'STARTED', [{ n: '0' }]);
      held.takeTasks([task('a', 0)]);
      statuses.connector('a', { state: 'RUNNING', workerId: 'other:8083', generation: 1 });
      configs.connectors.delete('a');
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('stopTasks')).to.deep.equal([[['a-0']]]);
      expect(worker.callsOf('stopConnector')).to.deep.equal([]);
      expect(statuses.getConnector('a')?.state).to.equal('RUNNING');
    });

    it('a changed connector config restarts the connector; tasks with unchanged configs only follow the target', async () => {
      const { reactor, configs, worker, held } = await holdingA();
      const next = { ...config, file: '/other' };
      configs.set('a', next, 'STARTED', configs.get('a')!.taskConfigs);
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('startConnector')).to.deep.equal([['a', next, 'STARTED']]);
      expect(held.startedWith('a')?.config).to.equal(JSON.stringify(next));
      expect(worker.callsOf('startTask')).to.deep.equal([]);
      expect(worker.callsOf('setTaskTargetState')).to.deep.equal([
        ['a-0', 'STARTED'],
        ['a-1', 'STARTED'],
      ]);
    });

    it('an unchanged config restarts nothing', async () => {
      const { reactor, worker } = await holdingA();
      await reactor.onConfigChange(['a']);
      expect(worker.methods()).to.deep.equal(['setTaskTargetState', 'setTaskTargetState']);
    });

    it('a target state change to PAUSED sets the target on the worker for the connector and its tasks', async () => {
      const { reactor, configs, worker, held } = await holdingA();
      configs.connectors.get('a')!.targetState = 'PAUSED';
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('setConnectorTargetState')).to.deep.equal([['a', 'PAUSED']]);
      expect(worker.callsOf('startConnector')).to.deep.equal([]);
      expect(worker.callsOf('setTaskTargetState')).to.deep.equal([
        ['a-0', 'PAUSED'],
        ['a-1', 'PAUSED'],
      ]);
      expect(held.startedWith('a')?.target).to.equal('PAUSED');
    });

    it('PAUSED -> STARTED resumes on the worker and generates the task configs a paused connector never wrote', async () => {
      const { reactor, configs, worker, held } = setup();
      configs.set('a', config, 'PAUSED', []);
      await held.takeConnector('a');
      worker.calls.length = 0;
      worker.generated.set('a', [{ n: '0' }]);
      configs.connectors.get('a')!.targetState = 'STARTED';
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('setConnectorTargetState')).to.deep.equal([['a', 'STARTED']]);
      expect(worker.callsOf('startConnector')).to.deep.equal([]);
      expect(configs.writes).to.deep.equal([{ method: 'putTaskConfigs', name: 'a', value: [{ n: '0' }] }]);
    });

    it('STOPPED -> STARTED restarts the connector (a stopped connector does not run)', async () => {
      const { reactor, configs, worker, held } = await holdingA('STOPPED');
      configs.connectors.get('a')!.targetState = 'STARTED';
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('startConnector')).to.deep.equal([['a', config, 'STARTED']]);
      expect(worker.callsOf('setConnectorTargetState')).to.deep.equal([]);
      expect(held.startedWith('a')?.target).to.equal('STARTED');
    });

    it('a task whose config vanished is released; the others stay', async () => {
      const { reactor, configs, worker, held } = await holdingA('STOPPED');
      configs.connectors.get('a')!.taskConfigs = [{ file: '/in', n: '0' }];
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('stopTasks')).to.deep.equal([[['a-1']]]);
      expect(held.taskIds()).to.deep.equal([task('a', 0)]);
    });

    it('a changed task config restarts that task only, with the new config', async () => {
      const { reactor, configs, worker, held } = await holdingA();
      configs.connectors.get('a')!.taskConfigs = [
        { file: '/in', n: '0' },
        { file: '/in', n: '1', extra: 'y' },
      ];
      await reactor.onConfigChange(['a']);
      expect(worker.callsOf('startTask')).to.deep.equal([
        ['a-1', config, { file: '/in', n: '1', extra: 'y' }, 'STARTED'],
      ]);
      expect(worker.callsOf('setTaskTargetState')).to.deep.equal([['a-0', 'STARTED']]);
      expect(held.view().taskStarts).to.deep.equal({ 'a-0': 1, 'a-1': 2 });
    });

    it('a held task of a connector held elsewhere starts once its config is committed', async () => {
      const { reactor, configs, worker, held } = setup();
      configs.set('b', config, 'STARTED', []);
      held.takeTasks([task('b', 0)]);
      await held.startTask(task('b', 0));
      configs.connectors.get('b')!.taskConfigs = [{ n: '0' }];
      await reactor.onConfigChange(['b']);
      expect(worker.callsOf('startTask')).to.deep.equal([['b-0', config, { n: '0' }, 'STARTED']]);
    });

    it('asks for a rebalance when it leads and the configured work changed, not when another worker leads', async () => {
      const led = await holdingA();
      led.leader.led(true);
      led.configs.set('new', config);
      await led.reactor.onConfigChange(['new']);
      expect(led.reasons).to.deep.equal(['config changed']);

      const follower = await holdingA();
      follower.leader.led(false);
      follower.configs.set('new', config);
      await follower.reactor.onConfigChange(['new']);
      expect(follower.reasons).to.deep.equal([]);
    });
  });

  describe('control records', () => {
    async function withStatuses(connector: 'RUNNING' | 'FAILED', tasks: Array<'RUNNING' | 'FAILED'>) {
      const s = await holdingA();
      s.statuses.connector('a', { state: connector, workerId: 'self:8083', generation: 1 });
      tasks.forEach((state, i) => s.statuses.task('a', i, { state, workerId: 'self:8083', generation: 1 }));
      return s;
    }

    it('restart with onlyFailed restarts only the FAILED connector and FAILED tasks', async () => {
      const { reactor, worker } = await withStatuses('RUNNING', ['FAILED', 'RUNNING']);
      await reactor.onControl({ kind: 'restart', connector: 'a', includeTasks: true, onlyFailed: true });
      expect(worker.callsOf('startConnector')).to.deep.equal([]);
      expect(worker.callsOf('startTask').map((c) => c[0])).to.deep.equal(['a-0']);

      const failed = await withStatuses('FAILED', ['RUNNING', 'RUNNING']);
      await failed.reactor.onControl({ kind: 'restart', connector: 'a', includeTasks: true, onlyFailed: true });
      expect(failed.worker.callsOf('startConnector').map((c) => c[0])).to.deep.equal(['a']);
      expect(failed.worker.callsOf('startTask')).to.deep.equal([]);
    });

    it('restart without onlyFailed restarts the connector, and with includeTasks every task held', async () => {
      const { reactor, worker } = await withStatuses('RUNNING', ['RUNNING', 'RUNNING']);
      await reactor.onControl({ kind: 'restart', connector: 'a', includeTasks: false, onlyFailed: false });
      expect(worker.callsOf('startConnector').map((c) => c[0])).to.deep.equal(['a']);
      expect(worker.callsOf('startTask')).to.deep.equal([]);
      await reactor.onControl({ kind: 'restart', connector: 'a', includeTasks: true, onlyFailed: false });
      expect(worker.callsOf('startTask').map((c) => c[0])).to.deep.equal(['a-0', 'a-1']);
    });

    it('a restart of a connector held elsewhere restarts only the tasks held here', async () => {
      const { reactor, configs, worker, held } = setup();
      configs.set('b', config, 'STARTED', [{ n: '0' }, { n: '1' }]);
      held.takeTasks([task('b', 1)]);
      await reactor.onControl({ kind: 'restart', connector: 'b', includeTasks: true, onlyFailed: false });
      expect(worker.callsOf('startConnector')).to.deep.equal([]);
      expect(worker.callsOf('startTask').map((c) => c[0])).to.deep.equal(['b-1']);
    });

    it('a restart of an unknown connector does nothing', async () => {
      const { reactor, worker, configs } = await holdingA();
      configs.connectors.delete('a');
      await reactor.onControl({ kind: 'restart', connector: 'a', includeTasks: true, onlyFailed: false });
      expect(worker.calls).to.deep.equal([]);
    });

    it('a cluster logger level is set here; an invalid one is ignored', async () => {
      const { reactor, logs } = setup();
      await reactor.onControl({ kind: 'logger', namespace: 'sluice.worker', level: 'DEBUG' });
      expect(logs.effectiveLevel('sluice.worker.WorkerSourceTask')).to.equal('DEBUG');
      await reactor.onControl({ kind: 'logger', namespace: 'sluice.worker', level: 'LOUD' });
      expect(logs.effectiveLevel('sluice.worker.WorkerSourceTask')).to.equal('DEBUG');
    });
  });
});
