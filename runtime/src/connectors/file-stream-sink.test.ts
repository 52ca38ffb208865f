import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { Schemas, structSchema, type SinkRecord } from '../sdk/index.js';
import { FileStreamSinkConnector } from './file-stream-sink-connector.js';
import { FileStreamSinkTask } from './file-stream-sink-task.js';
import { sinkContext, tempDir } from './connector-context.test-support.js';

const noContext = { requestTaskReconfiguration: () => {}, raiseError: () => {} };

function record(value: unknown, offset: number, valueSchema: SinkRecord['valueSchema'] = null): SinkRecord {
  return { topic: 't', kafkaPartition: 0, kafkaOffset: offset, value, valueSchema };
}

describe('FileStreamSinkConnector', () => {
  it('defines only its file key, documented, leaving topics to the framework', () => {
    const keys = new FileStreamSinkConnector().config().keys();
    expect(keys.map((k) => k.name)).to.deep.equal(['file']);
    expect(keys[0]!.documentation).to.match(/Destination filename/);
    expect(new FileStreamSinkConnector().config().validate({ topics: 'a' })[0]!.errors).to.deep.equal([]);
  });

  it('produces tasks.max identical task configs', async () => {
    const connector = new FileStreamSinkConnector();
    connector.start({ file: '/out.txt', topics: 'a,b', 'tasks.max': '3' }, noContext);
    const configs = await connector.taskConfigs(3);
    expect(configs).to.have.length(3);
    for (const c of configs) expect(c).to.deep.equal({ file: '/out.txt', topics: 'a,b' });
    expect(connector.taskClass()).to.equal(FileStreamSinkTask);
  });
});

describe('FileStreamSinkTask', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeEach(async () => (tmp = await tempDir()));
  afterEach(() => tmp.cleanup());

  it('writes one line per record and makes them visible on flush', async () => {
    const file = tmp.file('out.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file }, sinkContext({ file }));
    await task.put([record('hello', 0), record('wörld 🙂', 1), record(null, 2), record(42, 3)]);
    await task.flush(new Map());
    expect(await readFile(file, 'utf8')).to.equal('hello\nwörld 🙂\nnull\n42\n');
    await task.put([record('more', 4)]);
    await task.stop();
    expect(await readFile(file, 'utf8')).to.equal('hello\nwörld 🙂\nnull\n42\nmore\n');
  });

  it('appends to an existing file, as Kafka opens it in append mode', async () => {
    const file = tmp.file('existing.txt');
    await writeFile(file, 'before\n');
    const task = new FileStreamSinkTask();
    await task.start({ file }, sinkContext({ file }));
    await task.put([record('after', 0)]);
    await task.flush(new Map());
    await task.stop();
    expect(await readFile(file, 'utf8')).to.equal('before\nafter\n');
  });

  it('prints structs, maps, lists and doubles the way Java does', async () => {
    const file = tmp.file('java.txt');
    const schema = structSchema([
      ['id', Schemas.INT64],
      ['name', Schemas.OPTIONAL_STRING],
      ['price', Schemas.FLOAT64],
    ]);
    const task = new FileStreamSinkTask();
    await task.start({ file }, sinkContext({ file }));
    await task.put([
      record({ id: 1, name: 'x', price: 2 }, 0, schema),
      record({ id: 2, name: null, price: 2.5 }, 1, schema),
      record({ a: 1, b: 'two' }, 2),
      record([1, 2, 3], 3),
      record(true, 4),
    ]);
    await task.stop();
    expect(await readFile(file, 'utf8')).to.equal(
      'Struct{id=1,name=x,price=2.0}\nStruct{id=2,price=2.5}\n{a=1, b=two}\n[1, 2, 3]\ntrue\n',
    );
  });

  it('writes many records completely and in order', async () => {
    const file = tmp.file('many.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file }, sinkContext({ file }));
    const count = 50_000;
    for (let base = 0; base < count; base += 1000) {
      await task.put(Array.from({ length: 1000 }, (_, i) => record(`value-${base + i}-${'y'.repeat(60)}`, base + i)));
    }
    await task.flush(new Map());
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).to.have.length(count + 1);
    expect(lines[0]).to.match(/^value-0-/);
    expect(lines[count - 1]).to.match(new RegExp(`^value-${count - 1}-`));
    await task.stop();
  });

  it('fails clearly when the file cannot be created', async () => {
    const file = tmp.file('no/such/dir/out.txt');
    const task = new FileStreamSinkTask();
    let error: Error | undefined;
    await task.start({ file }, sinkContext({ file })).catch((err: Error) => (error = err));
    expect(error?.message).to.match(/Couldn't find or create file/);
  });
});
