import { expect } from 'chai';
import type { Producer } from 'kafkajs';
import { TaskMetrics } from '../metrics/task-metrics.js';
import type { SourceTask } from '../sdk/index.js';
import { MemoryOffsetStore, type OffsetEntry } from '../storage/offset-store.js';
import { LogRegistry } from '../util/logging.js';
import { AtLeastOnceDelivery } from './at-least-once-delivery.js';
import { ErrorHandler } from './error-handler.js';
import { OutageRetry } from './outage-retry.js';
import type { PreparedBatch } from './source-batch.js';

const log = new LogRegistry('OFF').logger('test');

/** An offset store whose writes fail while `down` is set. */
class FlakyOffsetStore extends MemoryOffsetStore {
  down = false;
  override async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    if (this.down) throw new Error('volume is read-only');
    await super.set(connector, entries);
  }
}

const batchAt = (position: number): PreparedBatch => ({
  byTopic: new Map([['t', [{ key: null, value: `line ${position}` }]]]),
  offsets: new Map([['{"file":"f"}', { partition: { file: 'f' }, offset: { position } }]]),
  keptCount: 1,
  kept: [],
  dropped: [],
});

function delivery(offsets: MemoryOffsetStore, sent: unknown[]) {
  const metrics = new TaskMetrics('c', 0, 'source');
  const commits: string[] = [];
  const task = { commit: async () => void commits.push('commit') } as unknown as SourceTask;
  const producer = { sendBatch: async (b: unknown) => void sent.push(b) } as unknown as Producer;
  const written: PreparedBatch[] = [];
  const d = new AtLeastOnceDelivery({
    id: { connector: 'c', task: 0 },
    task,
    producer,
    metrics,
    log,
    written: (b) => void written.push(b),
    offsets,
    errors: new ErrorHandler({
      retryTimeoutMs: 0,
      retryDelayMaxMs: 0,
      toleranceAll: false,
      logEnable: false,
      logIncludeMessages: false,
      logger: log,
    }),
    outage: new OutageRetry({ log, stopping: () => false, sleep: async () => undefined }),
    flushIntervalMs: 60_000,
  });
  return { d, metrics, commits, written };
}

describe('AtLeastOnceDelivery', () => {
  it('writes the offsets of acknowledged batches on commit, then tells the task', async () => {
    const store = new MemoryOffsetStore();
    const sent: unknown[] = [];
    const { d, commits, written } = delivery(store, sent);
    await d.send(batchAt(1));
    await d.send(batchAt(2));
    expect(sent).to.have.length(2);
    expect(written).to.have.length(2);
    expect(await store.get('c', [{ file: 'f' }])).to.deep.equal([null]);
    await d.commit();
    expect(await store.get('c', [{ file: 'f' }])).to.deep.equal([{ position: 2 }]);
    expect(commits).to.deep.equal(['commit']);
  });

  it('keeps the offsets of a failed write for the next one, where newer offsets win', async () => {
    const store = new FlakyOffsetStore();
    const { d, metrics } = delivery(store, []);
    await d.send(batchAt(1));
    store.down = true;
    await d.commit();
    expect(metrics.offsetCommitFailures).to.equal(1);
    await d.send(batchAt(2));
    store.down = false;
    await d.close();
    expect(await store.get('c', [{ file: 'f' }])).to.deep.equal([{ position: 2 }]);
  });
});
