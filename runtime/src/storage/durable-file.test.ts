import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { FileConfigStore } from './file-config-store.js';
import { DurableFile } from './durable-file.js';
import { FileOffsetStore } from './file-offset-store.js';
import { StoreUnavailableError } from '../errors.js';

/** A write function that fails (EROFS, as a read-only volume does) while `broken` is true. */
function flakyWrite() {
  const state = { broken: false, attempts: 0 };
  const write = async (file: string, data: string) => {
    state.attempts++;
    if (state.broken) throw Object.assign(new Error(`EROFS: read-only file system, open '${file}'`), { code: 'EROFS' });
    await writeFileAtomic(file, data);
  };
  return { state, write };
}

const noSleep = async () => undefined;

describe('Durable store files', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'durable-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('retries a failed write, then reports it as a 503 StoreUnavailableError with the reason', async () => {
    const { state, write } = flakyWrite();
    const file = new DurableFile(path.join(dir, 'x.json'), { write, sleep: noSleep, attempts: 3 });
    state.broken = true;
    let committed = false;
    const err = await file
      .update(
        () => '{}',
        () => (committed = true),
      )
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(StoreUnavailableError);
    expect((err as StoreUnavailableError).status).to.equal(503);
    expect((err as StoreUnavailableError).retriable).to.equal(true);
    expect((err as Error).message)
      .to.include('EROFS')
      .and.include('x.json');
    expect(state.attempts).to.equal(3);
    expect(committed).to.equal(false);
  });

  it('keeps writing after a failed write (a failure never blocks the writes after it)', async () => {
    const { state, write } = flakyWrite();
    const target = path.join(dir, 'x.json');
    const file = new DurableFile(target, { write, sleep: noSleep, attempts: 1 });
    state.broken = true;
    await file
      .update(
        () => '"a"',
        () => undefined,
      )
      .catch(() => undefined);
    state.broken = false;
    await file.update(
      () => '"b"',
      () => undefined,
    );
    expect(await readFile(target, 'utf8')).to.equal('"b"');
  });

  it('a config put or remove that cannot be written changes neither memory nor the file', async () => {
    const { state, write } = flakyWrite();
    const file = path.join(dir, 'connectors.json');
    const store = new FileConfigStore(file, { write, sleep: noSleep, attempts: 1 });
    await store.start();
    const a = { config: { name: 'a', 'connector.class': 'X' }, targetState: 'STARTED' as const, taskConfigs: [] };
    await store.put('a', a);
    state.broken = true;
    const failedPut = await store.put('b', { ...a, config: { ...a.config, name: 'b' } }).catch((e: unknown) => e);
    expect(failedPut).to.be.instanceOf(StoreUnavailableError);
    const failedRemove = await store.removeConnector('a').catch((e: unknown) => e);
    expect(failedRemove).to.be.instanceOf(StoreUnavailableError);
    expect(store.names()).to.deep.equal(['a']);
    const reread = new FileConfigStore(file);
    await reread.start();
    expect(reread.names()).to.deep.equal(['a']);
    state.broken = false;
    await store.put('b', { ...a, config: { ...a.config, name: 'b' } });
    expect(store.names()).to.deep.equal(['a', 'b']);
    const again = new FileConfigStore(file);
    await again.start();
    expect(again.names()).to.deep.equal(['a', 'b']);
  });

  it('offsets that cannot be written are not served, and a later commit writes them', async () => {
    const { state, write } = flakyWrite();
    const file = path.join(dir, 'offsets.json');
    const store = new FileOffsetStore(file, { write, sleep: noSleep, attempts: 1 });
    await store.start();
    const p = { filename: 'in.txt' };
    await store.set('c', [{ partition: p, offset: { position: 10 } }]);
    state.broken = true;
    const failed = await store.set('c', [{ partition: p, offset: { position: 20 } }]).catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(StoreUnavailableError);
    expect(await store.get('c', [p])).to.deep.equal([{ position: 10 }]);
    const reread = new FileOffsetStore(file);
    await reread.start();
    expect(await reread.get('c', [p])).to.deep.equal([{ position: 10 }]);
    state.broken = false;
    await store.set('c', [{ partition: p, offset: { position: 30 } }]);
    expect(await store.get('c', [p])).to.deep.equal([{ position: 30 }]);
    const again = new FileOffsetStore(file);
    await again.start();
    expect(await again.get('c', [p])).to.deep.equal([{ position: 30 }]);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).to.deep.equal([]);
  });
});
