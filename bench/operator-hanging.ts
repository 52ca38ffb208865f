// Does a hanging worker delay anyone else? The operator (in this process)
// against the real apiserver, with 1,000 Connectors on 110 clusters whose
// REST APIs are FakeConnect servers (real local HTTP): 100 healthy clusters
// of 10 connectors each, and 10 clusters of one connector each whose workers
// accept connections and never answer. Two runs: without the hanging
// clusters (990 connectors), then with them. For the healthy connectors it
// measures the time until all are Ready after their creation, and the time
// until a config change of all of them has reached their workers; the two
// runs should be alike.
//   npm run bench:operator-hanging        BENCH_SCALE=0.2 for a quick try
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { RestClient } from '../operator/src/kube/rest.js';
import { silentLogger } from '../operator/src/kube/logger.js';
import { startOperator } from '../operator/src/operator.js';
import { createConnectClient } from '../operator/src/connect/connect-client.js';
import { FakeConnect } from '../e2e/src/fake-connect.js';
import { useEnv, type TestEnv } from '../e2e/src/env.js';
import { installCrds } from '../e2e/src/kube.js';
import { API_VERSION } from '../operator/src/api/v1alpha1/common.js';
import { pool } from './lib/pool.js';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const HEALTHY_CLUSTERS = Math.max(1, Math.round(100 * scale));
const PER_CLUSTER = 10;
const HANGING = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result {
  hanging: number;
  healthy: number;
  readyMs: number;
  updateMs: number;
  hangingRequests: number;
}

async function run(e: TestEnv, hanging: number): Promise<Result> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(e.kubeconfig);
  const rest = new RestClient(kc);
  const ns = `bench-hang-${Date.now().toString(36)}`;
  await rest.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
  const workers = new Map<string, FakeConnect>();
  const healthy = Array.from({ length: HEALTHY_CLUSTERS }, (_, i) => `ok-${i}`);
  const stuck = Array.from({ length: hanging }, (_, i) => `hang-${i}`);
  for (const name of [...healthy, ...stuck]) {
    const w = await new FakeConnect().start();
    if (name.startsWith('hang-')) w.mode = 'hang';
    workers.set(name, w);
  }
  const base = (p: string) => `/apis/${API_VERSION}/namespaces/${ns}/${p}`;
  const operator = await startOperator({
    kubeConfig: kc,
    logger: silentLogger,
    namespaces: [ns],
    leaderElection: false,
    settings: { defaultImage: 'sluice/runtime:bench', operatorNamespace: ns, operatorPodLabels: { app: 'bench' } },
    connectFor: (k) => createConnectClient(workers.get(k.metadata.name)?.url ?? 'http://127.0.0.1:9'),
  });
  try {
    await pool([...healthy, ...stuck], 16, (name) =>
      rest.request({
        method: 'POST',
        path: base('kafkaconnects'),
        body: {
          apiVersion: API_VERSION,
          kind: 'KafkaConnect',
          metadata: { name },
          spec: { mode: 'distributed', replicas: 0, bootstrapServers: 'kafka:9092' },
        },
      }),
    );
    const conns = [
      ...healthy.flatMap((c) => Array.from({ length: PER_CLUSTER }, (_, j) => ({ c, name: `${c}-conn-${j}` }))),
      ...stuck.map((c) => ({ c, name: `${c}-conn` })),
    ];
    const good = conns.filter((x) => x.c.startsWith('ok-'));
    const start = performance.now();
    await pool(conns, 16, ({ c, name }) =>
      rest.request({
        method: 'POST',
        path: base('connectors'),
        body: {
          apiVersion: API_VERSION,
          kind: 'Connector',
          metadata: { name },
          spec: { clusterRef: { name: c }, class: 'FileStreamSource', config: { topic: name } },
        },
      }),
    );
    // All healthy connectors Ready.
    for (;;) {
      type List = {
        items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      const list = await rest.request<List>({ method: 'GET', path: base('connectors') }).catch(() => undefined);
      const ready = (list?.items ?? []).filter(
        (o) =>
          o.metadata.name.startsWith('ok-') &&
          o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      if (ready === good.length) break;
      await sleep(250);
    }
    const readyMs = performance.now() - start;
    // A config change of every healthy connector, until all reached their workers.
    const updated = performance.now();
    await pool(good, 16, ({ name }) =>
      rest.request({
        method: 'PATCH',
        path: `${base('connectors')}/${name}`,
        body: { spec: { config: { topic: `${name}-2` } } },
        contentType: 'application/merge-patch+json',
      }),
    );
    for (;;) {
      const done = good.filter(({ c, name }) => workers.get(c)!.connectors.get(name)?.config['topic'] === `${name}-2`);
      if (done.length === good.length) break;
      await sleep(100);
    }
    const updateMs = performance.now() - updated;
    const hangingRequests = stuck.reduce((n, c) => n + workers.get(c)!.requests.length, 0);
    return { hanging, healthy: good.length, readyMs, updateMs, hangingRequests };
  } finally {
    await operator.stop();
    await rest.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}` }).catch(() => undefined);
    for (const w of workers.values()) await w.stop();
  }
}

async function main(): Promise<void> {
  const e = await useEnv();
  await installCrds(e);
  await sleep(3000); // CRD storage re-initialises after a change
  const without = await run(e, 0);
  const withHanging = await run(e, HANGING);
  console.log(
    `\noperator with hanging workers: ${without.healthy} healthy connectors on ${HEALTHY_CLUSTERS} clusters, plus ${HANGING} connectors on ${HANGING} hanging clusters`,
  );
  console.log('metric                                 | no hanging | 10 hanging | ratio');
  const row = (label: string, a: number, b: number) =>
    console.log(`${label.padEnd(39)}| ${a.toFixed(0).padEnd(11)}| ${b.toFixed(0).padEnd(11)}| ${(b / a).toFixed(2)}`);
  row('healthy all Ready after create (ms)', without.readyMs, withHanging.readyMs);
  row('healthy config change applied (ms)', without.updateMs, withHanging.updateMs);
  console.log(`requests the hanging workers received: ${withHanging.hangingRequests}`);
  console.log(JSON.stringify({ without, withHanging }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
