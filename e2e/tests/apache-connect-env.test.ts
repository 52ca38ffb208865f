// The foundation's proof that the same jars give a working Apache Kafka
// Connect (the baseline our runtime is compared with): standalone mode moves
// a file into a topic through FileStreamSource.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { readTopic, testKafka } from '../src/kafka.js';

describe('test environment: Apache Kafka Connect baseline @env', () => {
  let child: ChildProcess | undefined;
  const getEnv = withEnv();

  after(() => {
    child?.kill('SIGKILL');
  });

  it('runs ConnectStandalone with FileStreamSource into a topic', async () => {
    const env = getEnv();
    const dir = await mkdtemp(path.join(tmpdir(), 'apache-connect-'));
    const topic = randomName('apache-file');
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    await writeFile(path.join(dir, 'input.txt'), lines.join('\n') + '\n');
    await writeFile(
      path.join(dir, 'worker.properties'),
      [
        `bootstrap.servers=${env.kafka.bootstrapServers}`,
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.storage.StringConverter',
        `offset.storage.file.filename=${dir}/offsets`,
        'offset.flush.interval.ms=1000',
        'listeners=http://127.0.0.1:18083',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'source.properties'),
      [
        'name=file-source',
        'connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector',
        `file=${dir}/input.txt`,
        `topic=${topic}`,
      ].join('\n'),
    );
    child = spawn(
      'bash',
      [
        path.join(repoRoot, 'e2e/env/apache-connect.sh'),
        'standalone',
        `${dir}/worker.properties`,
        `${dir}/source.properties`,
      ],
      { stdio: 'ignore', env: { ...process.env, SLUICE_CONNECT_LOG: `${dir}/connect.log` } },
    );

    const status = await eventually(
      'the connector RUNNING over REST',
      async () => {
        const res = await fetch('http://127.0.0.1:18083/connectors/file-source/status');
        const body = (await res.json()) as { connector: { state: string } };
        return body.connector.state === 'RUNNING' ? body : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(status.connector.state).to.equal('RUNNING');

    const received = await readTopic(testKafka(env.kafka.bootstrapServers), topic, lines.length, 60_000);
    expect(received.map((r) => r.value)).to.deep.equal(lines);
  });
});
