// The chart's Grafana dashboard and PrometheusRule against what each runtime
// really exports: a distributed Sluice worker and an Apache Kafka Connect
// 4.3.1 worker with the JMX exporter agent and our Strimzi-compatible rules
// (e2e/env/images/apache-connect/metrics-config.yml), each running a
// FileStreamSource and a FileStreamSink with records flowing. Every metric a
// dashboard query or an alert reads must have samples in both, so the same
// dashboard shows either runtime (docs/metrics.md).
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { repoRoot, withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { randomName } from '../src/names.js';
import {
  RuntimeProcess,
  distributedProps,
  freePort,
  restWrite,
  tempDir,
  toProperties,
} from '../src/runtime-process.js';

const run = promisify(execFile);

/** Metric names a PromQL expression reads (identifiers followed by a selector). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\b([a-z_][a-z0-9_]*)\s*\{/g)) names.add(m[1]!);
  return [...names];
}

/** Sample names (with their labels, sorted) of a Prometheus text exposition. */
function samples(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s/.exec(line);
    if (!m) continue;
    const list = out.get(m[1]!) ?? [];
    // Labels sorted by name: the two exporters print them in different orders.
    const labels = (m[2] ?? '{}').slice(1, -1).match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    list.push(`{${labels.sort().join(',')}}`);
    out.set(m[1]!, list);
  }
  return out;
}

/** A queried name and the sample names that feed it (a summary's _sum, a counter's name as is). */
const fedBy = (name: string, have: Map<string, string[]>) => have.get(name) ?? [];

describe('metrics: the chart dashboard and alerts have data from both runtimes @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  let dir: string;
  let apache: ChildProcess | undefined;
  let ours: RuntimeProcess | undefined;
  let queried: string[];
  const texts: Record<string, string> = {};
  // Connector names per runtime: a sink's consumer group is connect-<name>, never shared.
  const names: Record<string, { source: string; sink: string }> = {
    sluice: { source: randomName('src'), sink: randomName('snk') },
    apache: { source: randomName('src'), sink: randomName('snk') },
  };

  const connectors = (topic: string) => ({
    source: {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      file: path.join(dir, 'input.txt'),
      topic,
    },
    sink: {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      file: path.join(dir, `${topic}.out`),
      topics: topic,
    },
  });

  before(async function () {
    dir = await tempDir('metrics');
    await writeFile(path.join(dir, 'input.txt'), Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const dashboard = JSON.parse(
      await readFile(path.join(repoRoot, 'helm/sluice/dashboards/kafka-connect.json'), 'utf8'),
    );
    const rules = parseYaml(
      await readFile(path.join(repoRoot, 'helm/sluice/dashboards/kafka-connect-rules.yaml'), 'utf8'),
    );
    const exprs: string[] = [
      ...dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list
        .filter((v: { query?: unknown; type: string }) => typeof v.query === 'string' && v.type === 'query')
        .map((v: { query: string }) => v.query.replace(/^label_values\((.*),[^,]*\)$/, '$1')),
      ...rules.flatMap((g: { rules: Array<{ expr: string }> }) => g.rules.map((r) => r.expr)),
    ];
    queried = [...new Set(exprs.flatMap(metricNames))].sort();
    expect(queried.length).to.be.greaterThan(15);

    // Ours: one distributed worker.
    const ourGroup = randomName('metrics-sluice');
    const ourPort = await freePort();
    ours = new RuntimeProcess({
      mode: 'distributed',
      dir,
      port: ourPort,
      workerProps: distributedProps(env().kafka.bootstrapServers, ourGroup, ourPort),
    });
    await ours.start();
    const ourTopic = randomName('metrics-sluice');
    for (const [kind, config] of Object.entries(connectors(ourTopic))) {
      const name = names['sluice']![kind as 'source' | 'sink'];
      expect((await restWrite(ours, 'PUT', `/connectors/${name}/config`, config)).status).to.equal(201);
    }

    // Apache with the JMX exporter agent and our rules.
    const agent = (await run('bash', [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'jmx-agent'])).stdout.trim();
    const rulesFile = path.join(repoRoot, 'e2e/env/images/apache-connect/metrics-config.yml');
    const [restPort, metricsPort] = [await freePort(), await freePort()];
    const apacheGroup = randomName('metrics-apache');
    const props = path.join(dir, 'apache.properties');
    await writeFile(
      props,
      toProperties({
        listeners: `http://127.0.0.1:${restPort}`,
        ...distributedProps(env().kafka.bootstrapServers, apacheGroup, restPort),
      }),
    );
    apache = spawn('bash', [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'distributed', props], {
      stdio: 'ignore',
      env: {
        ...process.env,
        SLUICE_CONNECT_LOG: path.join(dir, 'apache.log'),
        KAFKA_HEAP_OPTS: '-Xmx512M',
        KAFKA_OPTS: `-javaagent:${agent}=127.0.0.1:${metricsPort}:${rulesFile}`,
      },
    });
    const apacheTopic = randomName('metrics-apache');
    const apacheUrl = `http://127.0.0.1:${restPort}`;
    for (const [kind, config] of Object.entries(connectors(apacheTopic)))
      await eventually(
        `Apache to create ${kind} (log: ${dir}/apache.log)`,
        async () => {
          const res = await fetch(`${apacheUrl}/connectors/${names['apache']![kind as 'source' | 'sink']}/config`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(config),
          });
          return res.status === 201 || res.status === 200;
        },
        { timeoutMs: 180_000, intervalMs: 1000 },
      );

    // Both have moved the 50 lines through source and sink.
    const scrape = async (url: string) => (await fetch(url)).text();
    const flowed = (text: string) =>
      /kafka_connect_sink_task_sink_record_send_total\{[^}]*\} 50(\.0)?\b/.test(text) ? text : undefined;
    texts['sluice'] = await eventually('our sink to have sent 50 records', async () =>
      flowed(await scrape(`${ours!.url}/metrics`)),
    );
    texts['apache'] = await eventually('Apache sink to have sent 50 records', async () =>
      flowed(await scrape(`http://127.0.0.1:${metricsPort}/metrics`)),
    );
  });

  after(async () => {
    apache?.kill('SIGKILL');
    await ours?.kill();
  });

  for (const runtime of ['sluice', 'apache']) {
    it(`every metric the dashboard and alerts read has samples from the ${runtime} runtime`, () => {
      const have = samples(texts[runtime]!);
      const missing = queried.filter((name) => fedBy(name, have).length === 0);
      expect(missing, `${runtime} lacks`).to.deep.equal([]);
    });

    it(`the ${runtime} runtime labels connector and task series as Strimzi's rules do`, () => {
      const have = samples(texts[runtime]!);
      const { source, sink } = names[runtime]!;
      expect(fedBy('kafka_connect_connector_status', have)).to.include.members([
        `{connector="${source}",status="running"}`,
        `{connector="${sink}",status="running"}`,
      ]);
      expect(fedBy('kafka_connect_connector_connector_class', have)).to.include(
        `{connector="${source}",connector_class="org.apache.kafka.connect.file.FileStreamSourceConnector"}`,
      );
      expect(fedBy('kafka_connect_connector_connector_type', have)).to.include(
        `{connector="${sink}",connector_type="sink"}`,
      );
      expect(fedBy('kafka_connect_connector_task_status', have)).to.include(
        `{connector="${sink}",status="running",task="0"}`,
      );
      expect(fedBy('kafka_connect_source_task_source_record_write_total', have)).to.include(
        `{connector="${source}",task="0"}`,
      );
      expect(fedBy('kafka_connect_worker_connector_running_task_count', have)).to.include(`{connector="${sink}"}`);
      expect(fedBy('kafka_connect_worker_rebalance_completed_rebalances_total', have)).to.deep.equal(['{}']);
      expect(fedBy('kafka_connect_coordinator_assigned_tasks', have)[0]).to.match(/^\{clientid=".*connect-.+"\}$/);
    });
  }
});
