// The short form of the chaos run (issue 11; the long one is `npm run chaos`):
// through the operator on the node, every fault of e2e/src/chaos/run.ts once,
// in random order, under continuous load on a three-broker Kafka of its own.
// It restarts the shared apiserver, etcd and kubelet once each (written to
// the chaos windows log, SLUICE_CHAOS_WINDOWS or <env state>/chaos-windows.log).
import { expect } from 'chai';
import { withEnv } from '../src/env.js';
import { nodeEnv } from '../src/node.js';
import { FAULTS, runChaos } from '../src/chaos/run.js';

describe('chaos run, short form: every fault once, through the operator on the node @env', function () {
  this.timeout(40 * 60_000);
  const getEnv = withEnv();

  it('loses no record, bounds duplicates, ends with every connector RUNNING and no crash loop', async () => {
    const result = await runChaos(nodeEnv(getEnv()), {
      minutes: 20,
      once: true,
      gapMs: [2_000, 5_000],
      log: (line) => console.log(`      ${line.replace(/\n/g, '\n      ')}`),
    });
    expect(result.rows.map((r) => [r.fault, r.injected])).to.deep.equal(
      FAULTS.map((f) => [f, 1]),
      'every fault injected once',
    );
    for (const p of result.pipelines) {
      expect(p.lost, `${p.name}: records lost`).to.equal(0);
      // At least once: a fault may send again what was in flight. Bounded by 10 s of the
      // pipeline's throughput per fault (the SIGKILL target is 1 s: docs/reliability.md).
      expect(p.duplicates, `${p.name}: duplicates`).to.be.at.most(result.injections * 10 * p.recordsPerSecond);
    }
    expect(result.notRunning, 'connectors not RUNNING at the end').to.deep.equal([]);
    expect(result.crashLooping, 'pods in a crash loop').to.deep.equal([]);
  });
});
