import { expect } from 'chai';
import { appendFile, writeFile } from 'node:fs/promises';
import { Schemas } from '../sdk/index.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';
import { InMemoryOffsetStorageReader, pollRecords, sourceContext, tempDir } from './connector-context.test-support.js';

describe('FileStreamSourceTask', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tasks: FileStreamSourceTask[];

  beforeEach(async () => {
    tmp = await tempDir();
    tasks = [];
  });

  afterEach(async () => {
    for (const task of tasks) await task.stop();
    await tmp.cleanup();
  });

  async function startTask(props: Record<string, string>, reader = new InMemoryOffsetStorageReader()) {
    const task = new FileStreamSourceTask();
    tasks.push(task);
    await task.start(props, sourceContext(props, reader));
    return task;
  }

  it('emits each line as a string record with the file as partition and the byte position as offset', async () => {
    const file = tmp.file('in.txt');
    await writeFile(file, 'first\nsecond\r\nthird\n');
    const task = await startTask({ file, topic: 'lines' });
    const records = await pollRecords(task, 3);
    expect(records.map((r) => r.value)).to.deep.equal(['first', 'second', 'third']);
    expect(records.map((r) => r.sourceOffset)).to.deep.equal([{ position: 6 }, { position: 14 }, { position: 20 }]);
    for (const r of records) {
      expect(r.topic).to.equal('lines');
      expect(r.sourcePartition).to.deep.equal({ filename: file });
      expect(r.valueSchema).to.equal(Schemas.STRING);
      expect(r.key).to.equal(null);
      expect(r.timestamp).to.be.a('number');
    }
  });

  it('resumes byte-exactly from a committed offset in a file with multi-byte characters', async () => {
    const file = tmp.file('utf8.txt');
    const lines = ['żółć', '日本語テキスト', 'emoji 🙂🙃', 'plain', 'ünïcödé'];
    await writeFile(file, lines.join('\n') + '\n');
    const offsets = new InMemoryOffsetStorageReader();
    const first = await startTask({ file, topic: 't', 'batch.size': '2' }, offsets);
    const head = await first.poll();
    expect(head!.map((r) => r.value)).to.deep.equal(lines.slice(0, 2));
    expect(head![1]!.sourceOffset).to.deep.equal({ position: Buffer.byteLength(lines.slice(0, 2).join('\n') + '\n') });
    offsets.commit(head!);
    await first.stop();

    const second = await startTask({ file, topic: 't' }, offsets);
    const rest = await pollRecords(second, 3);
    expect(rest.map((r) => r.value)).to.deep.equal(lines.slice(2));
    expect(rest.at(-1)!.sourceOffset).to.deep.equal({ position: Buffer.byteLength(lines.join('\n') + '\n') });
  });

  it('keeps tailing a file that grows, including a CRLF split between two appends', async () => {
    const file = tmp.file('grow.txt');
    await writeFile(file, 'a\nb\r');
    const task = await startTask({ file, topic: 't' });
    expect((await pollRecords(task, 1)).map((r) => r.value)).to.deep.equal(['a']);
    // "b\r" may be followed by "\n": nothing may be emitted until that is known.
    expect(await task.poll()).to.equal(null);
    await appendFile(file, '\nc\n');
    const more = await pollRecords(task, 2);
    expect(more.map((r) => [r.value, r.sourceOffset])).to.deep.equal([
      ['b', { position: 5 }],
      ['c', { position: 7 }],
    ]);
    await appendFile(file, 'partial');
    expect(await task.poll()).to.equal(null);
    await appendFile(file, ' line\n');
    expect((await pollRecords(task, 1)).map((r) => r.value)).to.deep.equal(['partial line']);
  });

  it('waits for a missing file and reads it once it appears', async () => {
    const file = tmp.file('later.txt');
    const task = await startTask({ file, topic: 't' });
    expect(await task.poll()).to.equal(null);
    await writeFile(file, 'finally\n');
    const records = await pollRecords(task, 1, 5000);
    expect(records.map((r) => r.value)).to.deep.equal(['finally']);
  });

  it('reads 100k lines completely and in order, in batches of at most batch.size', async () => {
    const file = tmp.file('big.txt');
    const count = 100_000;
    const lines = Array.from({ length: count }, (_, i) => `line ${i} ${'x'.repeat(i % 90)}`);
    await writeFile(file, lines.join('\n') + '\n');
    const task = await startTask({ file, topic: 't', 'batch.size': '1500' });
    const records = [];
    while (records.length < count) {
      const batch = await task.poll();
      expect(batch, 'a poll before the end returned nothing').to.not.equal(null);
      expect(batch!.length).to.be.at.most(1500);
      records.push(...batch!);
    }
    expect(records.length).to.equal(count);
    for (let i = 0; i < count; i++) if (records[i]!.value !== lines[i]) expect(records[i]!.value).to.equal(lines[i]);
    expect(records.at(-1)!.sourceOffset).to.deep.equal({ position: Buffer.byteLength(lines.join('\n') + '\n') });
  });

  it('returns from a waiting poll promptly when stopped', async () => {
    const file = tmp.file('idle.txt');
    await writeFile(file, '');
    const task = await startTask({ file, topic: 't' });
    const started = Date.now();
    const polling = task.poll();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await task.stop();
    expect(await polling).to.equal(null);
    expect(Date.now() - started).to.be.below(900);
    expect(await task.poll()).to.equal(null);
  });

  it('rejects a stored offset that is not a non-negative integer', async () => {
    const file = tmp.file('bad.txt');
    const offsets = new InMemoryOffsetStorageReader().set({ filename: file }, { position: -3 });
    const task = new FileStreamSourceTask();
    let error: Error | undefined;
    await task.start({ file, topic: 't' }, sourceContext({}, offsets)).catch((err: Error) => (error = err));
    expect(error?.message).to.match(/position.*non-negative integer/);
  });
});
