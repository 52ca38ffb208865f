import { expect } from 'chai';
import {
  ConfigState,
  commitKey,
  connectorKey,
  decodeTargetState,
  encodeCommit,
  encodeProperties,
  encodeTargetState,
  parseConfigKey,
  targetStateKey,
  taskConfigKey,
} from './kafka-config-store.js';

describe('Kafka config store records', () => {
  it("encodes Kafka Connect's exact key and value formats", () => {
    expect(connectorKey('my-conn')).to.equal('connector-my-conn');
    expect(taskConfigKey('my-conn', 3)).to.equal('task-my-conn-3');
    expect(commitKey('my-conn')).to.equal('commit-my-conn');
    expect(targetStateKey('my-conn')).to.equal('target-state-my-conn');
    expect(encodeProperties({ a: '1', 'b.c': 'x' })).to.equal('{"properties":{"a":"1","b.c":"x"}}');
    expect(encodeCommit(2)).to.equal('{"tasks":2}');
    expect(encodeTargetState('STARTED')).to.equal('{"state":"STARTED","state.v2":"STARTED"}');
    expect(encodeTargetState('PAUSED')).to.equal('{"state":"PAUSED","state.v2":"PAUSED"}');
    expect(encodeTargetState('STOPPED')).to.equal('{"state":"PAUSED","state.v2":"STOPPED"}');
  });

  it('parses keys, including connector names with dashes', () => {
    expect(parseConfigKey('connector-a-b')).to.deep.equal({ kind: 'connector', connector: 'a-b' });
    expect(parseConfigKey('task-a-b-12')).to.deep.equal({ kind: 'task', connector: 'a-b', task: 12 });
    expect(parseConfigKey('commit-a-b')).to.deep.equal({ kind: 'commit', connector: 'a-b' });
    expect(parseConfigKey('target-state-a-b')).to.deep.equal({ kind: 'target-state', connector: 'a-b' });
    expect(parseConfigKey('session-key')).to.equal(undefined);
    expect(parseConfigKey('restart-connector-x')).to.equal(undefined);
    expect(parseConfigKey('task-x')).to.equal(undefined);
  });

  it('reads state.v2 first and falls back to state (older workers)', () => {
    expect(decodeTargetState('{"state":"PAUSED","state.v2":"STOPPED"}')).to.equal('STOPPED');
    expect(decodeTargetState('{"state":"PAUSED"}')).to.equal('PAUSED');
    expect(decodeTargetState('{"state":"PAUSED","state.v2":"WEIRD"}')).to.equal('PAUSED');
    expect(decodeTargetState('nope')).to.equal(undefined);
  });
});

describe('ConfigState (the config topic, record by record)', () => {
  let offset = 0n;
  const apply = (s: ConfigState, key: string, value: string | null) => s.apply(key, value, offset++);

  it('keeps task configs invisible until the matching commit', () => {
    const s = new ConfigState();
    apply(s, connectorKey('c'), encodeProperties({ 'connector.class': 'X' }));
    expect(apply(s, taskConfigKey('c', 0), encodeProperties({ t: '0' }))).to.equal(undefined);
    apply(s, taskConfigKey('c', 1), encodeProperties({ t: '1' }));
    expect(s.get('c')?.taskConfigs).to.deep.equal([]);
    expect(apply(s, commitKey('c'), encodeCommit(2))).to.equal('c');
    expect(s.get('c')?.taskConfigs).to.deep.equal([{ t: '0' }, { t: '1' }]);
    // A shrink: the new commit applies its own tasks only.
    apply(s, taskConfigKey('c', 0), encodeProperties({ t: 'new' }));
    expect(s.get('c')?.taskConfigs).to.deep.equal([{ t: '0' }, { t: '1' }]);
    apply(s, commitKey('c'), encodeCommit(1));
    expect(s.get('c')?.taskConfigs).to.deep.equal([{ t: 'new' }]);
  });

  it('marks a commit with missing task configs inconsistent, until a complete one', () => {
    const s = new ConfigState();
    apply(s, connectorKey('c'), encodeProperties({}));
    apply(s, taskConfigKey('c', 1), encodeProperties({ t: '1' }));
    apply(s, commitKey('c'), encodeCommit(2));
    expect(s.snapshot().inconsistent).to.deep.equal(['c']);
    expect(s.get('c')?.taskConfigs).to.deep.equal([]);
    apply(s, taskConfigKey('c', 0), encodeProperties({ t: '0' }));
    apply(s, taskConfigKey('c', 1), encodeProperties({ t: '1' }));
    apply(s, commitKey('c'), encodeCommit(2));
    expect(s.snapshot().inconsistent).to.deep.equal([]);
    expect(s.get('c')?.taskConfigs).to.have.length(2);
  });

  it('applies target states (default STARTED) and deletes on tombstones', () => {
    const s = new ConfigState();
    apply(s, connectorKey('c'), encodeProperties({ a: '1' }));
    expect(s.get('c')?.targetState).to.equal('STARTED');
    apply(s, targetStateKey('c'), encodeTargetState('STOPPED'));
    expect(s.get('c')?.targetState).to.equal('STOPPED');
    apply(s, connectorKey('c'), null);
    apply(s, targetStateKey('c'), null);
    expect(s.get('c')).to.equal(undefined);
    expect(s.snapshot().connectors.size).to.equal(0);
  });

  it('tracks the next offset after the last record, -1 before any', () => {
    const s = new ConfigState();
    expect(s.snapshot().offset).to.equal(-1n);
    s.apply('session-key', '{}', 41n);
    expect(s.snapshot().offset).to.equal(42n);
  });
});
