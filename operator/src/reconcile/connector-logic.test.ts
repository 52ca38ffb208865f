import { expect } from 'chai';
import { API_VERSION, type Connector } from '../api/v1alpha1/index.js';
import type { ConnectorStatus } from '../connect/connect-client.js';
import { autoRestart, connectorConfig, readiness, restartDelayMs, sameConfig, stateAction } from './connector-logic.js';

const cr = (spec: Partial<Connector['spec']> = {}, status?: Connector['status']): Connector => ({
  apiVersion: API_VERSION,
  kind: 'Connector',
  metadata: { name: 'c1', namespace: 'ns', generation: 2 },
  spec: { clusterRef: { name: 'k' }, class: 'FileStreamSource', ...spec },
  ...(status ? { status } : {}),
});
const status = (connector: string, ...tasks: string[]): ConnectorStatus => ({
  name: 'c1',
  type: 'source',
  connector: { state: connector, worker_id: 'w:8083' },
  tasks: tasks.map((state, id) => ({
    id,
    state,
    worker_id: 'w:8083',
    ...(state === 'FAILED' ? { trace: 'boom\nat x' } : {}),
  })),
});

describe('connector reconcile decisions', () => {
  it('builds the Connect config from the resource, with name, class and tasks.max', () => {
    expect(connectorConfig(cr({ tasksMax: 3, config: { topic: 't' } }))).to.deep.equal({
      topic: 't',
      name: 'c1',
      'connector.class': 'FileStreamSource',
      'tasks.max': '3',
    });
  });

  it('compares configs as string maps', () => {
    expect(sameConfig({ a: '1', b: '2' }, { b: '2', a: '1' })).to.equal(true);
    expect(sameConfig({ a: '1' }, { a: '1', b: '2' })).to.equal(false);
    expect(sameConfig({ a: '1', b: '3' }, { a: '1', b: '2' })).to.equal(false);
  });

  it('asks for the state change the spec wants, leaving transient states alone', () => {
    expect(stateAction(cr({ state: 'paused' }), 'RUNNING')).to.equal('pause');
    expect(stateAction(cr({ state: 'stopped' }), 'RUNNING')).to.equal('stop');
    expect(stateAction(cr({ state: 'running' }), 'PAUSED')).to.equal('resume');
    expect(stateAction(cr({ state: 'running' }), 'STOPPED')).to.equal('resume');
    expect(stateAction(cr({ state: 'paused' }), 'FAILED')).to.equal(undefined);
    expect(stateAction(cr({ state: 'stopped' }), 'FAILED')).to.equal('stop');
    expect(stateAction(cr({ state: 'running' }), 'UNASSIGNED')).to.equal(undefined);
    expect(stateAction(cr({ state: 'running' }), 'RUNNING')).to.equal(undefined);
  });

  it('backs off restarts as min(n² + n, 60) units', () => {
    expect([0, 1, 2, 3, 7, 8, 20].map((n) => restartDelayMs(n, 1))).to.deep.equal([0, 2, 6, 12, 56, 60, 60]);
  });

  it('restarts a failed task at once, then waits for the backoff, and counts', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const first = autoRestart(cr(), status('RUNNING', 'FAILED'), now, 1000);
    expect(first).to.deep.include({ restart: true, count: 1 });
    const later = new Date(now.getTime() + 1000);
    const second = autoRestart(
      cr({}, { autoRestart: { count: 1, lastRestartTime: now.toISOString() } }),
      status('RUNNING', 'FAILED'),
      later,
      1000,
    );
    expect(second.restart).to.equal(false);
    expect(second.requeueAfterMs).to.equal(1000);
    const due = autoRestart(
      cr({}, { autoRestart: { count: 1, lastRestartTime: now.toISOString() } }),
      status('RUNNING', 'FAILED'),
      new Date(now.getTime() + 2000),
      1000,
    );
    expect(due).to.deep.include({ restart: true, count: 2 });
  });

  it('honours maxRestarts and enabled=false, and resets the counter after a healthy spell', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms);
    const st = { autoRestart: { count: 3, lastRestartTime: now.toISOString() } };
    expect(
      autoRestart(cr({ autoRestart: { maxRestarts: 3 } }, st), status('FAILED'), at(60_000), 1000).restart,
    ).to.equal(false);
    expect(autoRestart(cr({ autoRestart: { enabled: false } }), status('FAILED'), now, 1000).restart).to.equal(false);
    expect(autoRestart(cr({}, st), status('RUNNING', 'RUNNING'), at(13_000), 1000).count).to.equal(3);
    expect(autoRestart(cr({}, st), status('RUNNING', 'RUNNING'), at(21_000), 1000).count).to.equal(0);
  });

  it('reports Ready with a reason a user can act on', () => {
    expect(readiness(cr(), status('RUNNING', 'RUNNING', 'RUNNING'))).to.deep.include({
      ready: true,
      reason: 'Running',
    });
    expect(readiness(cr(), status('RUNNING', 'RUNNING', 'FAILED'))).to.deep.include({
      ready: false,
      reason: 'TaskFailed',
      message: 'Task 1 failed: boom',
    });
    expect(readiness(cr(), status('FAILED'))).to.deep.include({ ready: false, reason: 'ConnectorFailed' });
    expect(readiness(cr({ state: 'paused' }), status('PAUSED', 'PAUSED'))).to.deep.include({
      ready: true,
      reason: 'Paused',
    });
    expect(readiness(cr({ state: 'paused' }), status('RUNNING', 'RUNNING'))).to.deep.include({
      ready: false,
      reason: 'Reconciling',
    });
  });
});
