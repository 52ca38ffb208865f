import { expect } from 'chai';
import {
  StatusState,
  canOverride,
  connectorStatusKey,
  decodeStatus,
  encodeStatus,
  parseStatusKey,
  taskStatusKey,
} from './kafka-status-store.js';

describe('Kafka status store records', () => {
  it("encodes Kafka Connect's exact keys and values", () => {
    expect(connectorStatusKey('a-b')).to.equal('status-connector-a-b');
    expect(taskStatusKey('a-b', 2)).to.equal('status-task-a-b-2');
    expect(encodeStatus({ state: 'RUNNING', workerId: 'w:8083', generation: 3 })).to.equal(
      '{"state":"RUNNING","trace":null,"worker_id":"w:8083","generation":3,"version":null}',
    );
    expect(encodeStatus({ state: 'FAILED', workerId: 'w', generation: 1, trace: 'boom' })).to.equal(
      '{"state":"FAILED","trace":"boom","worker_id":"w","generation":1,"version":null}',
    );
    // Kafka 4.3.1 wrote this record for a running FileStreamSource task (status topic bytes).
    expect(encodeStatus({ state: 'RUNNING', workerId: '127.0.0.1:8083', generation: 2, version: '4.3.1' })).to.equal(
      '{"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:8083","generation":2,"version":"4.3.1"}',
    );
  });

  it("an UNASSIGNED read from the topic does not replace another worker's RUNNING of the same or a newer generation", () => {
    const state = new StatusState();
    const running = '{"state":"RUNNING","trace":null,"worker_id":"w2","generation":4,"version":"1"}';
    expect(state.applyRecord('status-task-c-0', running)).to.equal(true);
    const stale = '{"state":"UNASSIGNED","trace":null,"worker_id":"w1","generation":4,"version":"1"}';
    expect(state.applyRecord('status-task-c-0', stale)).to.equal(false);
    expect(state.getTask({ connector: 'c', task: 0 })?.state).to.equal('RUNNING');
    const newer = '{"state":"UNASSIGNED","trace":null,"worker_id":"w1","generation":5,"version":"1"}';
    expect(state.applyRecord('status-task-c-0', newer)).to.equal(true);
    expect(state.getTask({ connector: 'c', task: 0 })?.state).to.equal('UNASSIGNED');
  });

  it("a worker's own UNASSIGNED replaces its RUNNING, even with the older generation the task started in", () => {
    // The task started in generation 19, reported RUNNING again in 21 (a target-state change), and was
    // released: its UNASSIGNED carries 19. Read by another worker, it must end the RUNNING, or a stopped
    // connector lists the task as RUNNING for good.
    const state = new StatusState();
    const running = encodeStatus({ state: 'RUNNING', workerId: 'w1', generation: 21 });
    expect(state.applyRecord('status-task-c-0', running)).to.equal(true);
    const released = encodeStatus({ state: 'UNASSIGNED', workerId: 'w1', generation: 19 });
    expect(state.applyRecord('status-task-c-0', released)).to.equal(true);
    expect(state.getTask({ connector: 'c', task: 0 })?.state).to.equal('UNASSIGNED');
  });

  it('decodes values and parses keys', () => {
    expect(decodeStatus('{"state":"RUNNING","trace":null,"worker_id":"w","generation":3}')).to.deep.equal({
      state: 'RUNNING',
      workerId: 'w',
      generation: 3,
    });
    expect(
      decodeStatus('{"state":"RUNNING","trace":null,"worker_id":"w","generation":3,"version":"4.3.1"}'),
    ).to.deep.equal({ state: 'RUNNING', workerId: 'w', generation: 3, version: '4.3.1' });
    expect(decodeStatus('{"state":"DESTROYED","worker_id":"w","generation":3}')).to.equal(undefined);
    expect(parseStatusKey('status-task-a-b-10')).to.deep.equal({ kind: 'task', connector: 'a-b', task: 10 });
    expect(parseStatusKey('status-connector-a-b')).to.deep.equal({ kind: 'connector', connector: 'a-b' });
    expect(parseStatusKey('status-topic-t:connector-c')).to.equal(undefined);
  });

  it('a lower generation from another worker does not override (Apache canWriteSafely)', () => {
    const w1 = { state: 'RUNNING', workerId: 'w1', generation: 5 } as const;
    expect(canOverride(undefined, w1)).to.equal(true);
    expect(canOverride(w1, { state: 'UNASSIGNED', workerId: 'w2', generation: 4 })).to.equal(false);
    expect(canOverride(w1, { state: 'RUNNING', workerId: 'w2', generation: 5 })).to.equal(true);
    expect(canOverride(w1, { state: 'FAILED', workerId: 'w1', generation: 1 })).to.equal(true);

    const s = new StatusState();
    const key = taskStatusKey('c', 0);
    expect(s.applyRecord(key, encodeStatus(w1))).to.equal(true);
    expect(s.applyRecord(key, encodeStatus({ state: 'UNASSIGNED', workerId: 'w2', generation: 4 }))).to.equal(false);
    expect(s.getTasks('c').get(0)?.state).to.equal('RUNNING');
    expect(s.applyRecord(key, encodeStatus({ state: 'PAUSED', workerId: 'w2', generation: 6 }))).to.equal(true);
    expect(s.getTasks('c').get(0)?.workerId).to.equal('w2');
    expect(s.applyRecord(key, null)).to.equal(true);
    expect(s.getTasks('c').size).to.equal(0);
  });
});
