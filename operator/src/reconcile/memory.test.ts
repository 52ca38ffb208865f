import { expect } from 'chai';
import { Memories, newClusterMemory, newConnectorMemory } from './memory.js';

describe('reconcile memories', () => {
  it('gives each object key its own memory, made on first use and kept between passes', () => {
    const memories = new Memories(newConnectorMemory);
    const a = memories.of('ns/a');
    a.clusterWaits = 3;
    expect(memories.of('ns/a').clusterWaits).to.equal(3);
    expect(memories.of('ns/b')).to.deep.equal({ lastMode: undefined, clusterWaits: 0 });
    expect(memories.size).to.equal(2);
  });

  it('forgets everything of an object that is gone', () => {
    const memories = new Memories(newClusterMemory);
    memories.of('ns/c').applied.set('Deployment/c-connect', { hash: 'h', at: 1, version: 'g1' });
    memories.of('ns/c').drainStartedAt = 5;
    memories.forget('ns/c');
    expect(memories.size).to.equal(0);
    expect(memories.of('ns/c').applied.size).to.equal(0);
    expect(memories.of('ns/c').drainStartedAt).to.equal(undefined);
  });
});
