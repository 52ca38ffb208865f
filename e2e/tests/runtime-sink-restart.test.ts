// A sink whose worker was SIGKILLed delivers again soon after the worker is
// back (issue 11). Before, the restarted task joined its consumer group under
// a new member id and the coordinator waited for the dead member's session
// (45 s) to end: 45 to 85 s without delivery. Now the task takes its dead
// predecessor out of the group when it starts (kafka/group-members.ts).
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { createTopic, produce, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir } from '../src/runtime-process.js';

describe('runtime: a sink after a SIGKILL of its worker @env', function () {
  this.timeout(240_000);
  const env = withEnv();
  let worker: RuntimeProcess | undefined;
  after(async () => worker?.kill());

  it('delivers again well before the dead member session timeout (45 s) would end', async () => {
    const dir = await tempDir('sink-restart');
    const kafka = testKafka(env().kafka.bootstrapServers);
    const topic = randomName('sink-restart');
    await createTopic(kafka, topic, 2);
    const output = path.join(dir, 'out.txt');
    const start = async () => {
      worker = new RuntimeProcess({
        mode: 'standalone',
        dir,
        port: await freePort(),
        workerProps: standaloneProps(env().kafka.bootstrapServers, dir, 1000),
      });
      return worker.start();
    };
    const w = await start();
    const sink = randomName('restart-sink');
    const res = await w.rest('PUT', `/connectors/${sink}/config`, {
      'connector.class': 'FileStreamSink',
      file: output,
      topics: topic,
    });
    expect(res.status).to.equal(201);
    const lines = async () => (await readFile(output, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    await produce(kafka, topic, [{ value: 'before-1' }, { value: 'before-2' }]);
    await eventually('the first records in the sink', async () => (await lines()).length >= 2);

    await w.kill();
    await produce(kafka, topic, [{ value: 'after-1' }, { value: 'after-2' }]);
    const again = await start();
    const startedAt = Date.now();
    // 30 s: well under the 45 s session of the dead member the join used to wait for.
    await eventually('records written after the restart', async () => (await lines()).includes('after-2'), {
      timeoutMs: 30_000,
    });
    console.log(`      sink delivering again ${Date.now() - startedAt} ms after the restarted worker was healthy`);
    expect(await readFile(again.logFile, 'utf8')).to.include('Removed stale members from the consumer group');
  });
});
