// Drain's states: a drain asks for one rebalance, a second request changes
// nothing, and a draining worker counts as drained only once it holds no
// work and no rebalance is under way.
import { expect } from 'chai';
import { Drain } from './drain.js';
import { rejoins, silentLog } from './fakes.test-support.js';

const nothing = { connectors: 0, tasks: 0 };

describe('distributed herder: drain', () => {
  it('starting a drain rejoins once; starting it again does not rejoin again', () => {
    const { reasons, rejoin } = rejoins();
    const drain = new Drain(silentLog, rejoin);
    expect(drain.draining).to.equal(false);
    drain.start();
    drain.start();
    expect(drain.draining).to.equal(true);
    expect(reasons).to.deep.equal(['drain requested']);
  });

  it('cancelling rejoins only when draining', () => {
    const { reasons, rejoin } = rejoins();
    const drain = new Drain(silentLog, rejoin);
    drain.cancel();
    expect(reasons).to.deep.equal([]);
    drain.start();
    drain.cancel();
    drain.cancel();
    expect(drain.draining).to.equal(false);
    expect(reasons).to.deep.equal(['drain requested', 'drain cancelled']);
  });

  it('a worker that is not draining is never drained, even holding nothing', () => {
    const drain = new Drain(silentLog, () => undefined);
    expect(drain.status(nothing, false)).to.deep.equal({ draining: false, drained: false, connectors: 0, tasks: 0 });
  });

  it('a draining worker is drained once it holds nothing and no rebalance is under way', () => {
    const drain = new Drain(silentLog, () => undefined);
    drain.start();
    expect(drain.status({ connectors: 1, tasks: 0 }, false).drained).to.equal(false);
    expect(drain.status({ connectors: 0, tasks: 2 }, false)).to.deep.equal({
      draining: true,
      drained: false,
      connectors: 0,
      tasks: 2,
    });
    expect(drain.status(nothing, true).drained).to.equal(false);
    expect(drain.status(nothing, false).drained).to.equal(true);
  });
});
