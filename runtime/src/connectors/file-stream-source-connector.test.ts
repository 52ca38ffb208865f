import { expect } from 'chai';
import { ConfigError, ConnectError } from '../sdk/index.js';
import { FileStreamSourceConnector } from './file-stream-source-connector.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';

const noContext = { requestTaskReconfiguration: () => {}, raiseError: () => {} };

function errorsOf(props: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of new FileStreamSourceConnector().config().validate(props)) if (v.errors.length) out[v.name] = v.errors;
  return out;
}

describe('FileStreamSourceConnector', () => {
  it('documents every config key', () => {
    const keys = new FileStreamSourceConnector().config().keys();
    expect(keys.map((k) => k.name)).to.deep.equal(['file', 'topic', 'batch.size']);
    for (const key of keys) expect(key.documentation).to.not.equal('');
    expect(new FileStreamSourceConnector().config().key('batch.size')?.defaultValue).to.equal(2000);
  });

  it('reports a missing topic through validation', () => {
    expect(errorsOf({ file: '/tmp/x' })).to.have.keys('topic');
    expect(errorsOf({ file: '/tmp/x' }).topic![0]).to.match(/Missing required configuration "topic"/);
    expect(errorsOf({ topic: 't' })).to.deep.equal({});
  });

  it('rejects a comma-separated topic list and an empty topic', () => {
    expect(errorsOf({ topic: 'a,b' }).topic![0]).to.match(/single topic/);
    expect(errorsOf({ topic: ' ' }).topic![0]).to.match(/may not be empty/);
    expect(() => new FileStreamSourceConnector().start({ topic: 'a,b' }, noContext)).to.throw(ConfigError);
  });

  it('rejects a batch size below one and one that is not a number', () => {
    expect(errorsOf({ topic: 't', 'batch.size': '0' })).to.have.keys('batch.size');
    expect(errorsOf({ topic: 't', 'batch.size': 'many' })).to.have.keys('batch.size');
  });

  it('always produces exactly one task config, whatever tasks.max is', async () => {
    const connector = new FileStreamSourceConnector();
    connector.start({ file: '/data/in.txt', topic: 't', 'tasks.max': '5' }, noContext);
    expect(await connector.taskConfigs(5)).to.deep.equal([{ file: '/data/in.txt', topic: 't', 'batch.size': '2000' }]);
    expect(connector.taskClass()).to.equal(FileStreamSourceTask);
  });

  it('leaves the file out of the task config when reading stdin', async () => {
    const connector = new FileStreamSourceConnector();
    connector.start({ topic: 't', 'batch.size': '10' }, noContext);
    expect(await connector.taskConfigs(1)).to.deep.equal([{ topic: 't', 'batch.size': '10' }]);
  });

  it('supports exactly-once only when reading a file', () => {
    const connector = new FileStreamSourceConnector();
    expect(connector.exactlyOnceSupport({ file: '/f', topic: 't' })).to.equal('SUPPORTED');
    expect(connector.exactlyOnceSupport({ topic: 't' })).to.equal('UNSUPPORTED');
    expect(connector.exactlyOnceSupport({ file: '', topic: 't' })).to.equal('UNSUPPORTED');
  });

  describe('alterOffsets', () => {
    const props = { file: '/f', topic: 't' };
    const alter = (offsets: Array<[Record<string, unknown>, Record<string, unknown> | null]>, p = props) =>
      new FileStreamSourceConnector().alterOffsets(p, new Map(offsets));

    it('accepts a non-negative integer position and null (a reset)', () => {
      expect(alter([[{ filename: '/f' }, { position: 0 }]])).to.equal(true);
      expect(alter([[{ filename: '/f' }, { position: 12345 }]])).to.equal(true);
      expect(alter([[{ filename: '/f' }, { position: 10n }]])).to.equal(true);
      expect(alter([[{ anything: 'goes' }, null]])).to.equal(true);
    });

    it('rejects a negative, fractional or non-numeric position with a clear message', () => {
      expect(() => alter([[{ filename: '/f' }, { position: -1 }]])).to.throw(ConnectError, /non-negative/);
      expect(() => alter([[{ filename: '/f' }, { position: 1.5 }]])).to.throw(ConnectError, /integer/);
      expect(() => alter([[{ filename: '/f' }, { position: '10' }]])).to.throw(ConnectError, /integer/);
      expect(() => alter([[{ filename: '/f' }, { offset: 10 }]])).to.throw(ConnectError, /contain the key 'position'/);
      expect(() => alter([[{ file: '/f' }, { position: 10 }]])).to.throw(ConnectError, /'filename'/);
    });

    it('refuses to alter offsets when reading stdin', () => {
      expect(() => alter([[{ filename: '/f' }, { position: 1 }]], { topic: 't' } as typeof props)).to.throw(
        ConnectError,
        /stdin/,
      );
    });
  });
});
