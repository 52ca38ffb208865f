// Standalone runtime against the real broker: data moves byte for byte, and
// a SIGKILL loses nothing (at-least-once) with duplicates limited to what
// was produced after the last offset flush.
import { expect } from 'chai';
import { readFile, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir, toProperties } from '../src/runtime-process.js';
import { readTopic, testKafka } from '../src/kafka.js';

const STRING = 'org.apache.kafka.connect.storage.StringConverter';

function lines(n: number, tag: string): string[] {
  // Mixed widths and multi-byte characters, so byte offsets are exercised.
  return Array.from({ length: n }, (_, i) => `${tag} ${i} ${'x'.repeat(i % 90)}${i % 7 === 0 ? ' é ✓' : ''}`);
}

async function countLines(file: string): Promise<number> {
  try {
    const text = await readFile(file, 'utf8');
    return text === '' ? 0 : text.split('\n').length - 1;
  } catch {
    return 0;
  }
}

describe('standalone runtime: data path @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  const workers: RuntimeProcess[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });

  it('moves 100,000 lines from a file through a topic into a file byte for byte', async () => {
    const dir = await tempDir('sa-bytes');
    const topic = randomName('bytes');
    const input = lines(100_000, 'row');
    await writeFile(path.join(dir, 'in.txt'), input.join('\n') + '\n');
    await writeFile(
      path.join(dir, 'source.properties'),
      toProperties({ name: 'src', 'connector.class': 'FileStreamSource', file: path.join(dir, 'in.txt'), topic }),
    );
    await writeFile(
      path.join(dir, 'sink.properties'),
      toProperties({
        name: randomName('sink'),
        'connector.class': 'FileStreamSink',
        file: path.join(dir, 'out.txt'),
        topics: topic,
      }),
    );
    const worker = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: standaloneProps(env().kafka.bootstrapServers, dir, 1000),
      connectorFiles: [path.join(dir, 'source.properties'), path.join(dir, 'sink.properties')],
    });
    workers.push(await worker.start());
    await eventually(
      '100,000 lines in the output file',
      async () => (await countLines(path.join(dir, 'out.txt'))) >= input.length,
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    // Give the sink a moment to prove it writes nothing extra.
    await new Promise((r) => setTimeout(r, 1500));
    const [inBytes, outBytes] = await Promise.all([
      readFile(path.join(dir, 'in.txt')),
      readFile(path.join(dir, 'out.txt')),
    ]);
    expect(outBytes.length).to.equal(inBytes.length);
    expect(outBytes.equals(inBytes)).to.equal(true);
  });

  it('loses nothing when killed mid-stream: duplicates are exactly the records after the last offset flush', async () => {
    const dir = await tempDir('sa-kill');
    const topic = randomName('kill');
    const input = lines(300_000, 'k');
    const inFile = path.join(dir, 'in.txt');
    await writeFile(inFile, input.join('\n') + '\n');
    await writeFile(
      path.join(dir, 'source.properties'),
      toProperties({ name: 'src', 'connector.class': 'FileStreamSource', file: inFile, topic, 'batch.size': 500 }),
    );
    const offsetsFile = path.join(dir, 'data/offsets.json');
    const props = {
      'bootstrap.servers': env().kafka.bootstrapServers,
      'key.converter': STRING,
      'value.converter': STRING,
      'offset.storage.file.filename': offsetsFile,
      'offset.flush.interval.ms': 300,
      'sluice.file.allowed.paths': dir,
    };
    const port = await freePort();
    const first = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port,
      workerProps: props,
      connectorFiles: [path.join(dir, 'source.properties')],
    });
    workers.push(await first.start());
    const kafka = testKafka(env().kafka.bootstrapServers);
    const admin = kafka.admin();
    await admin.connect();
    const topicEnd = async () => {
      try {
        return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
      } catch {
        return 0;
      }
    };
    // Kill once a good part, but not all, has been produced.
    await eventually('some records produced', async () => (await topicEnd()) > 20_000, {
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    await first.kill();
    const producedAtKill = await topicEnd();
    const committed = JSON.parse(await readFile(offsetsFile, 'utf8')) as { offsets: Record<string, string> };
    const position = (JSON.parse(Object.values(committed.offsets)[0]!) as { position: number }).position;
    // Lines wholly before the committed byte position are the ones that will not be re-read.
    let committedLines = 0;
    for (let bytes = 0; committedLines < input.length; committedLines++) {
      const next = bytes + Buffer.byteLength(input[committedLines]!) + 1;
      if (next > position) break;
      bytes = next;
    }
    expect(producedAtKill).to.be.lessThan(input.length, 'the kill came too late to test anything');
    expect(committedLines).to.be.at.most(producedAtKill);

    const second = new RuntimeProcess({ mode: 'standalone', dir, port, workerProps: props });
    workers.push(await second.start());
    const expectedTotal = producedAtKill + (input.length - committedLines);
    await eventually('the rest of the file produced', async () => (await topicEnd()) >= expectedTotal, {
      timeoutMs: 180_000,
      intervalMs: 250,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const finalEnd = await topicEnd();
    await admin.disconnect();
    const records = await readTopic(kafka, topic, finalEnd, 120_000);
    const seen = new Map<string, number>();
    for (const r of records) seen.set(r.value ?? '', (seen.get(r.value ?? '') ?? 0) + 1);
    const missing = input.filter((l) => !seen.has(l));
    const duplicates = records.length - seen.size;
    expect(missing.length, 'lines lost').to.equal(0);
    expect(duplicates, 'duplicates are the uncommitted window').to.equal(producedAtKill - committedLines);
    expect(finalEnd).to.equal(expectedTotal);
    console.log(`      killed after ${producedAtKill} records; ${committedLines} committed; ${duplicates} duplicates`);
  });

  it('resumes a growing file after a clean restart without duplicates', async () => {
    const dir = await tempDir('sa-restart');
    const topic = randomName('grow');
    const inFile = path.join(dir, 'in.txt');
    await writeFile(inFile, lines(1000, 'a').join('\n') + '\n');
    await writeFile(
      path.join(dir, 'source.properties'),
      toProperties({ name: 'src', 'connector.class': 'FileStreamSource', file: inFile, topic }),
    );
    const props = standaloneProps(env().kafka.bootstrapServers, dir, 60000);
    const port = await freePort();
    const first = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port,
      workerProps: props,
      connectorFiles: [path.join(dir, 'source.properties')],
    });
    workers.push(await first.start());
    const kafka = testKafka(env().kafka.bootstrapServers);
    expect((await readTopic(kafka, topic, 1000, 60_000)).length).to.equal(1000);
    // SIGTERM flushes offsets even though the flush interval has not passed.
    expect(await first.stop()).to.equal(0);
    await appendFile(inFile, lines(500, 'b').join('\n') + '\n');
    // No connector file this time: the connector comes back from the persisted config.
    const second = new RuntimeProcess({ mode: 'standalone', dir, port, workerProps: props });
    workers.push(await second.start());
    const records = await readTopic(kafka, topic, 1500, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(records.map((r) => r.value)).to.deep.equal([...lines(1000, 'a'), ...lines(500, 'b')]);
  });
});

describe('standalone runtime: transforms in a pipeline @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  let worker: RuntimeProcess | undefined;
  after(async () => worker?.kill());

  // The Filter only applies where its predicate matches (another topic), so every record passes.
  it('applies a transform chain with a predicate between the source and the converter', async () => {
    const dir = await tempDir('sa-smt');
    const topic = randomName('smt');
    await writeFile(path.join(dir, 'in.txt'), 'one\ntwo\nthree\n');
    worker = await new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: {
        'bootstrap.servers': env().kafka.bootstrapServers,
        'key.converter': STRING,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'offset.storage.file.filename': path.join(dir, 'data/offsets.json'),
        'sluice.file.allowed.paths': dir,
      },
    }).start();
    const res = await worker.rest('PUT', '/connectors/smt/config', {
      'connector.class': 'FileStreamSource',
      file: path.join(dir, 'in.txt'),
      topic: `${topic}-raw`,
      transforms: 'hoist,insert,route,filterOthers',
      'transforms.hoist.type': 'org.apache.kafka.connect.transforms.HoistField$Value',
      'transforms.hoist.field': 'line',
      'transforms.insert.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.insert.static.field': 'source',
      'transforms.insert.static.value': 'sluice',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': '(.*)-raw',
      'transforms.route.replacement': '$1',
      'transforms.filterOthers.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.filterOthers.predicate': 'isOther',
      predicates: 'isOther',
      'predicates.isOther.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'predicates.isOther.pattern': 'never-matches',
    });
    expect(res.status).to.equal(201);
    const records = await readTopic(testKafka(env().kafka.bootstrapServers), topic, 3, 60_000);
    expect(records.map((r) => JSON.parse(r.value ?? 'null'))).to.deep.equal([
      { line: 'one', source: 'sluice' },
      { line: 'two', source: 'sluice' },
      { line: 'three', source: 'sluice' },
    ]);
  });
});
