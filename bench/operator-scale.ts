// Operator scale benchmark: memory and reconcile throughput of the operator
// (a real process against the real apiserver) with 200 KafkaConnect and
// 2,000 Connector objects, next to a baseline run of a tenth of that load in
// the same invocation (the ratio shows how cost grows with the object count).
// No worker pods run on this control plane, so connectors settle at
// ClusterNotReady: the numbers cover watching, queueing, applying children
// and writing status, not Connect REST calls.
//   npm run bench:operator            BENCH_SCALE=0.1 for a quick try
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { RestClient } from '../operator/src/kube/rest.js';
import { OPERATOR_NODE_FLAGS } from '../operator/src/node-flags.js';
import { MeasuredProcess } from './lib/process.js';
import { pool } from './lib/pool.js';
import { useEnv, type TestEnv } from '../e2e/src/env.js';
import { installCrds } from '../e2e/src/kube.js';
import { API_VERSION } from '../operator/src/api/v1alpha1/common.js';
import { freePort } from '../e2e/src/runtime-process.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const scale = Number(process.env['BENCH_SCALE'] ?? 1);

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

interface Result {
  clusters: number;
  connectors: number;
  settleMs: number;
  reconciles: number;
  reconcilesPerSec: number;
  peakRssMb: number;
  rssAfterMb: number;
}

async function run(env: TestEnv, clusters: number, perCluster: number): Promise<Result> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  const rest = new RestClient(kc);
  const ns = `bench-op-${Date.now().toString(36)}`;
  await rest.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
  const healthPort = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-op-'));
  const op = new MeasuredProcess(
    process.execPath,
    // As the image runs it (its ENTRYPOINT); BENCH_OPERATOR_FLAGS=none measures V8's defaults.
    [
      ...(process.env['BENCH_OPERATOR_FLAGS'] === 'none' ? [] : OPERATOR_NODE_FLAGS),
      path.join(root, 'dist/operator/src/cli.js'),
    ],
    'node',
    path.join(dir, 'operator.log'),
    {
      ...process.env,
      KUBECONFIG: env.kubeconfig,
      SLUICE_WATCH_NAMESPACES: ns,
      SLUICE_LEADER_ELECTION: 'false',
      SLUICE_HEALTH_PORT: String(healthPort),
      LOG_LEVEL: 'warn',
    },
  );
  try {
    for (;;) {
      op.assertRunning();
      if ((await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const base = (p: string) => `/apis/${API_VERSION}/namespaces/${ns}/${p}`;
    const start = performance.now();
    const names = Array.from({ length: clusters }, (_, i) => `kc-${i}`);
    await pool(names, 16, (name) =>
      rest.request({
        method: 'POST',
        path: base('kafkaconnects'),
        body: {
          apiVersion: API_VERSION,
          kind: 'KafkaConnect',
          metadata: { name },
          spec: { mode: 'distributed', replicas: 2, bootstrapServers: 'kafka:9092' },
        },
      }),
    );
    const conns = names.flatMap((c) => Array.from({ length: perCluster }, (_, j) => ({ c, name: `${c}-conn-${j}` })));
    await pool(conns, 16, ({ c, name }) =>
      rest.request({
        method: 'POST',
        path: base('connectors'),
        body: {
          apiVersion: API_VERSION,
          kind: 'Connector',
          metadata: { name },
          spec: {
            clusterRef: { name: c },
            class: 'FileStreamSource',
            config: { file: '/var/lib/sluice/x', topic: name },
          },
        },
      }),
    );
    // Settled: every object has a status for its generation.
    for (;;) {
      op.assertRunning();
      type List = { items: Array<{ status?: { observedGeneration?: number } }> };
      // The apiserver may answer 429 for a moment (e.g. CRD storage re-initialising): look again.
      const k = await rest.request<List>({ method: 'GET', path: base('kafkaconnects') }).catch(() => undefined);
      const c = await rest.request<List>({ method: 'GET', path: base('connectors') }).catch(() => undefined);
      if (!k || !c) {
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const done =
        k.items.filter((o) => o.status?.observedGeneration === 1).length +
        c.items.filter((o) => o.status?.observedGeneration === 1).length;
      if (done === clusters + conns.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const settleMs = performance.now() - start;
    const reconciles = await metric(healthPort, 'sluice_reconcile_total{');
    const peakRssMb = op.peakRssKb() / 1024;
    const rssAfterMb = (await metric(healthPort, 'process_resident_memory_bytes')) / 1024 / 1024;
    // Clean up while the operator runs: without clusters, connector finalizers are released at once.
    // A busy apiserver may time the deletes out: the results stand anyway.
    await rest.request({ method: 'DELETE', path: base('kafkaconnects') }).catch(() => undefined);
    await rest.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}` }).catch(() => undefined);
    return {
      clusters,
      connectors: conns.length,
      settleMs,
      reconciles,
      reconcilesPerSec: reconciles / (settleMs / 1000),
      peakRssMb,
      rssAfterMb,
    };
  } finally {
    await new Promise((r) => setTimeout(r, 5000)); // let finalizers go before the operator stops
    await op.stop(10_000);
  }
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

async function main(): Promise<void> {
  const env = await useEnv();
  await installCrds(env);
  const full = { clusters: Math.max(1, Math.round(200 * scale)), perCluster: 10 };
  const baseline = await run(env, Math.max(1, Math.round(full.clusters / 10)), full.perCluster);
  const result = await run(env, full.clusters, full.perCluster);
  const rows: Array<[string, keyof Result]> = [
    ['objects settled in (ms)', 'settleMs'],
    ['reconciles', 'reconciles'],
    ['reconciles/s', 'reconcilesPerSec'],
    ['peak RSS (MB)', 'peakRssMb'],
    ['RSS after settle (MB)', 'rssAfterMb'],
  ];
  console.log(
    `\noperator scale: baseline ${baseline.clusters} KafkaConnect + ${baseline.connectors} Connector vs ${result.clusters} + ${result.connectors}`,
  );
  console.log('metric                    | baseline | full     | ratio full/baseline');
  for (const [label, key] of rows) {
    const b = baseline[key];
    const f = result[key];
    console.log(`${label.padEnd(26)}| ${fmt(b).padEnd(9)}| ${fmt(f).padEnd(9)}| ${(f / b).toFixed(2)}`);
  }
  console.log(JSON.stringify({ baseline, full: result }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
