import { expect } from 'chai';
import { StringConverter } from '../converters/string-converter.js';
import { ConfigDef, type SourceRecord, type Transformation } from '../sdk/index.js';
import { LogRegistry } from '../util/logging.js';
import { ErrorHandler } from './error-handler.js';
import { latestOffsets, prepareBatch, type SourcePipeline } from './source-batch.js';
import { TransformationChain } from './transformation-chain.js';

const record = (topic: string, value: string, file: string, position: number): SourceRecord => ({
  topic,
  sourcePartition: { file },
  sourceOffset: { position },
  key: null,
  keySchema: null,
  value,
  valueSchema: null,
});

function pipeline(transforms = TransformationChain.empty(), toleranceAll = false): SourcePipeline {
  const converter = new StringConverter();
  converter.configure({}, false);
  return {
    transforms,
    converters: {
      key: converter,
      value: converter,
      header: converter,
      keyClass: 'StringConverter',
      valueClass: 'StringConverter',
      headerClass: 'StringConverter',
    },
    errors: new ErrorHandler({
      retryTimeoutMs: 0,
      retryDelayMaxMs: 0,
      toleranceAll,
      logEnable: false,
      logIncludeMessages: false,
      logger: new LogRegistry('OFF').logger('test'),
    }),
  };
}

/** Drops records whose value is 'drop', and throws for 'bad'. */
const picky: Transformation = {
  config: () => new ConfigDef(),
  configure() {},
  apply(r) {
    if (r.value === 'bad') throw new Error('bad record');
    return r.value === 'drop' ? null : r;
  },
};

describe('source batches', () => {
  it('groups converted messages by topic, keeping each topic in poll order', async () => {
    const batch = await prepareBatch(
      [record('a', 'one', 'f', 1), record('b', 'two', 'f', 2), record('a', 'three', 'f', 3)],
      pipeline(),
      false,
    );
    expect([...batch.byTopic.keys()]).to.deep.equal(['a', 'b']);
    expect(batch.byTopic.get('a')!.map((m) => String(m.value))).to.deep.equal(['one', 'three']);
    expect(batch.keptCount).to.equal(3);
    expect(batch.kept).to.deep.equal([]);
  });

  it('keeps produced and dropped records for commitRecord only when asked, and counts only what is produced', async () => {
    const chain = new TransformationChain([{ alias: 'p', transform: picky, negate: false }]);
    const records = [record('a', 'keep', 'f', 1), record('a', 'drop', 'f', 2), record('a', 'bad', 'f', 3)];
    const batch = await prepareBatch(records, pipeline(chain, true), true);
    expect(batch.keptCount).to.equal(1);
    expect(batch.kept.map((r) => r.value)).to.deep.equal(['keep']);
    expect(batch.dropped.map((r) => r.value)).to.deep.equal(['drop', 'bad']);
    // A skipped record's offset still counts: the newest offset of the poll.
    expect([...batch.offsets.values()]).to.deep.equal([{ partition: { file: 'f' }, offset: { position: 3 } }]);
  });

  it('fails the batch for a bad record under errors.tolerance=none', async () => {
    const chain = new TransformationChain([{ alias: 'p', transform: picky, negate: false }]);
    const failure = await prepareBatch([record('a', 'bad', 'f', 1)], pipeline(chain), false).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message).to.match(/Tolerance exceeded/);
  });

  it('takes the newest offset of each source partition, in the order the partitions first appear', () => {
    const offsets = latestOffsets([
      record('t', 'x', 'b', 1),
      record('t', 'x', 'a', 1),
      record('t', 'x', 'b', 2),
      { ...record('t', 'x', 'c', 9), sourceOffset: null },
    ]);
    expect([...offsets.values()]).to.deep.equal([
      { partition: { file: 'b' }, offset: { position: 2 } },
      { partition: { file: 'a' }, offset: { position: 1 } },
    ]);
  });
});
