// The chaos run through the operator, on the node (issue 11): the operator
// installed with its chart (a pod), a distributed KafkaConnect and a
// standalone one, each with a DataGen source (ids in sequence) and an HttpSink
// delivering to a collector on the machine, on a three-broker Kafka of the
// run's own; an injector picks faults at random (a shuffled deck of every
// fault, dealt again when used up) for a bounded time. At the end every id the
// sources wrote to Kafka must have reached the sinks (0 lost), duplicates are
// counted per fault, every connector must be RUNNING, and no pod may be in a
// crash loop. npm run chaos (bench/chaos.ts) and e2e/tests/chaos.test.ts run it.
import * as k8s from '@kubernetes/client-node';
import { Kafka, logLevel } from 'kafkajs';
import { createTopicsAndWait } from '../../../runtime/src/kafka/topics.js';
import { silenceKafkaJsTimerWarnings } from '../../../runtime/src/util/warnings.js';
import { loadavg } from 'node:os';
import path from 'node:path';
import { aligned } from '../../../bench/lib/report.js';
import { eventually } from '../eventually.js';
import { installOperator, uninstallOperator } from '../helm.js';
import { createNamespaceReady, installCrds, kubeConfig, kubectl, namespaceGone, rest, sluicePath } from '../kube.js';
import { randomName } from '../names.js';
import type { NodeEnv } from '../node.js';
import { PrivateBroker } from '../private-broker.js';
import { tempDir } from '../runtime-process.js';
import { Collector } from './collector.js';
import {
  cutOff,
  disruptive,
  fill,
  restartControlPlane,
  restartKubelet,
  sigkillPod,
  tmpfs,
  unmount,
  windowsLog,
} from './node-faults.js';

// kafkajs 2.2.4 sets negative timers; the worker silences the same warning (runtime/src/util/warnings.ts).
silenceKafkaJsTimerWarnings();

export const FAULTS = [
  'worker pod deleted',
  'worker SIGKILL',
  'broker restart (1 of 3)',
  'apiserver + etcd restart',
  'operator pod killed mid-reconcile',
  'kubelet restart',
  'worker cut off from Kafka 30 s',
  'standalone PVC full 20 s',
  'scale up / down',
  'mode switch',
] as const;
export type Fault = (typeof FAULTS)[number];
/** Faults that stop or restart parts of the shared environment (written to the windows log). */
export const SHARED_FAULTS: readonly Fault[] = ['apiserver + etcd restart', 'kubelet restart'];

export interface ChaosOptions {
  /** how long the injector runs (after setup); with `once`, at most one deck */
  readonly minutes: number;
  /** deal the deck once (every fault once, in random order) and stop: the short form */
  readonly once?: boolean;
  /** only these faults (default: all) */
  readonly faults?: readonly Fault[];
  /** records per second per source task */
  readonly rate?: number;
  /** pause between a recovery and the next fault, ms (random in the range) */
  readonly gapMs?: readonly [number, number];
  readonly log?: (line: string) => void;
}

export interface FaultRow {
  readonly fault: Fault;
  readonly injected: number;
  readonly recoveryMs: number[];
  readonly lost: number;
  readonly duplicates: number;
}

export interface PipelineResult {
  readonly name: string;
  /** ids the source wrote to Kafka */
  readonly produced: number;
  readonly lost: number;
  /** arrivals at the sink beyond the first of each id */
  readonly duplicates: number;
  /** records in the topic beyond the first of each id (the source's share of the duplicates) */
  readonly topicDuplicates: number;
  readonly recordsPerSecond: number;
}

export interface ChaosResult {
  readonly rows: FaultRow[];
  readonly pipelines: PipelineResult[];
  /** connectors not RUNNING at the end, as "name: state" */
  readonly notRunning: string[];
  /** pods in a crash loop at the end */
  readonly crashLooping: string[];
  /** container restarts at the end, per pod (SIGKILLs restart a container; pod deletes make new pods) */
  readonly restarts: Record<string, number>;
  readonly injections: number;
  readonly minutes: number;
  readonly table: string;
  readonly summary: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const shuffle = <T>(xs: readonly T[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};
export const percentile = (xs: number[], p: number): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const ready = (r: any): boolean => r?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';

/** One source -> Kafka -> sink pipeline, on one KafkaConnect. */
interface Pipeline {
  readonly cluster: 'dist' | 'solo';
  readonly topic: string;
  readonly tasks: number;
  readonly partitions: number;
}

export async function runChaos(env: NodeEnv, o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? ((line: string) => console.log(line));
  const say = (line: string) => log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const rate = o.rate ?? 50;
  const faults = o.faults ?? FAULTS;
  const gap = o.gapMs ?? [5_000, 15_000];
  const kc = kubeConfig(env);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const api = rest(env);
  const ns = randomName('chaos');
  const release = ns;
  const system = `${ns}-system`;
  const pvName = `${ns}-solo-data`;
  const storageClass = `${ns}-tmpfs`;
  const volume = path.join(await tempDir('chaos-pvc'), 'volume');
  const collector = new Collector();
  const broker = await PrivateBroker.create({ brokers: 3, podHost: env.node.ip });
  const pipelines: Pipeline[] = [
    { cluster: 'dist', topic: `${ns}-dist`, tasks: 2, partitions: 3 },
    { cluster: 'solo', topic: `${ns}-solo`, tasks: 1, partitions: 2 },
  ];
  const kafka = new Kafka({
    clientId: 'sluice-chaos',
    brokers: broker.bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const cr = {
    path: (plural: 'kafkaconnects' | 'connectors', name?: string) => sluicePath(plural, ns, name),
    get: (plural: 'kafkaconnects' | 'connectors', name: string) =>
      api.request<any>({ method: 'GET', path: sluicePath(plural, ns, name) }),
    create: (plural: 'kafkaconnects' | 'connectors', name: string, spec: Record<string, unknown>) =>
      api.request({
        method: 'POST',
        path: sluicePath(plural, ns),
        body: {
          apiVersion: 'sluice.dev/v1alpha1',
          kind: plural === 'kafkaconnects' ? 'KafkaConnect' : 'Connector',
          metadata: { name },
          spec,
        },
      }),
    patch: (plural: 'kafkaconnects' | 'connectors', name: string, spec: Record<string, unknown>) =>
      api.request({
        method: 'PATCH',
        path: sluicePath(plural, ns, name),
        body: { spec },
        contentType: 'application/merge-patch+json',
      }),
  };
  const connectorNames = pipelines.flatMap((p) => [`${p.cluster}-source`, `${p.cluster}-sink`]).concat('probe');
  let soloMode: 'standalone' | 'distributed' = 'standalone';
  let distReplicas = 2;
  let probeSeed = 0;

  const workerPods = async (cluster?: string) =>
    (
      await core.listNamespacedPod({
        namespace: ns,
        labelSelector: cluster ? `sluice.dev/cluster=${cluster}` : 'sluice.dev/cluster',
      })
    ).items.filter(
      (p) =>
        !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );

  /** Every Connector RUNNING with all its tasks (as the operator reports it); the ones that are not. */
  const notRunning = async (): Promise<string[]> => {
    const bad: string[] = [];
    for (const name of connectorNames) {
      const c = await cr.get('connectors', name).catch(() => undefined);
      const tasks: { state: string }[] = c?.status?.tasks ?? [];
      const ok =
        ready(c) && c.status?.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING');
      if (!ok) bad.push(`${name}: ${c?.status?.state ?? 'no status'} ${tasks.map((t) => t.state).join(',')}`);
    }
    return bad;
  };

  /** The operator reconciled a change made now (the probe connector's config) and reports it Ready. */
  const operatorAnswers = async () => {
    probeSeed++;
    await eventually('the probe change accepted', () =>
      cr.patch('connectors', 'probe', { config: { seed: String(probeSeed) } }).then(() => true),
    );
    await eventually(
      'the operator to reconcile the probe change',
      async () => {
        const c = await cr.get('connectors', 'probe');
        return c.status?.observedGeneration === c.metadata.generation && ready(c);
      },
      { timeoutMs: 300_000, intervalMs: 250 },
    );
  };

  /** Every source task of the pipelines delivers a record newer than what had arrived now. */
  const flowing = async (affected: Pipeline[]) => {
    const marks = affected.map((p) => {
      const a = collector.arrivals(p.cluster);
      return Array.from({ length: p.tasks }, (_, t) => a.maxSeq(t, p.tasks));
    });
    await eventually(
      `records flowing again (${affected.map((p) => p.cluster).join(', ')})`,
      () =>
        affected.every((p, i) => {
          const a = collector.arrivals(p.cluster);
          return marks[i]!.every((m, t) => a.maxSeq(t, p.tasks) > m);
        }),
      { timeoutMs: 300_000, intervalMs: 100 },
    ).catch(async (err: Error) => {
      // What a stall looks like, before the clean-up deletes it: the tasks that did not move,
      // the Connectors as the operator reports them, and the end of each worker's log.
      affected.forEach((p, i) => {
        const a = collector.arrivals(p.cluster);
        say(
          `${p.cluster}: highest id per task before ${marks[i]!.join(',')}, now ${marks[i]!.map((_, t) => a.maxSeq(t, p.tasks)).join(',')}`,
        );
      });
      say(`connectors not RUNNING: ${(await notRunning().catch(() => [])).join('; ') || 'none'}`);
      for (const pod of await workerPods().catch(() => [])) {
        const name = pod.metadata!.name!;
        const log = await kubectl(env, 'logs', '-n', ns, name, '--tail', '40').catch((e: Error) => e.message);
        say(`--- ${name} (last 40 lines)\n${log}`);
      }
      throw err;
    });
  };

  const kcReady = (name: string, check: (k: any) => boolean) =>
    eventually(
      `kafkaconnect/${name} Ready`,
      async () => {
        const k = await cr.get('kafkaconnects', name);
        return ready(k) && check(k);
      },
      { timeoutMs: 300_000, intervalMs: 500 },
    );
  const connectorsReady = () =>
    eventually('every connector RUNNING', async () => (await notRunning()).length === 0, {
      timeoutMs: 300_000,
      intervalMs: 500,
    });

  const byCluster = (c: string) => pipelines.filter((p) => p.cluster === c);
  const randomWorker = async () => {
    const pod = pick(
      await eventually('a Ready worker pod', async () => {
        const pods = await workerPods();
        return pods.length > 0 ? pods : undefined;
      }),
    );
    return { name: pod.metadata!.name!, cluster: pod.metadata!.labels!['sluice.dev/cluster']! };
  };

  /** Injects one fault; resolves at the fault's end with what must recover. */
  const inject = async (
    fault: Fault,
  ): Promise<{ affected: Pipeline[]; operator?: boolean; detail?: string; settle?: () => Promise<unknown> }> => {
    switch (fault) {
      case 'worker pod deleted': {
        const w = await randomWorker();
        await core.deleteNamespacedPod({ namespace: ns, name: w.name });
        return { affected: byCluster(w.cluster), detail: w.name };
      }
      case 'worker SIGKILL': {
        const w = await randomWorker();
        await sigkillPod(ns, w.name);
        return { affected: byCluster(w.cluster), detail: w.name };
      }
      case 'broker restart (1 of 3)': {
        const n = 1 + Math.floor(Math.random() * 3);
        await broker.stopNode(n);
        await sleep(5_000);
        await broker.startNode(n);
        return { affected: pipelines, detail: `node ${n}` };
      }
      case 'apiserver + etcd restart':
        await disruptive(env, 'chaos: apiserver + etcd restart', restartControlPlane);
        return { affected: pipelines, operator: true };
      case 'operator pod killed mid-reconcile': {
        // A change for it to work on, then the pod gone without a chance to finish.
        probeSeed++;
        await cr.patch('connectors', 'probe', { config: { seed: String(probeSeed) } });
        await sleep(Math.random() * 500);
        const pods = await core.listNamespacedPod({
          namespace: system,
          labelSelector: 'app.kubernetes.io/name=sluice-operator',
        });
        for (const p of pods.items)
          await core.deleteNamespacedPod({ namespace: system, name: p.metadata!.name!, gracePeriodSeconds: 0 });
        return { affected: pipelines, operator: true };
      }
      case 'kubelet restart':
        await disruptive(env, 'chaos: kubelet restart', restartKubelet);
        return { affected: pipelines, operator: true };
      case 'worker cut off from Kafka 30 s': {
        const w = await randomWorker();
        const lift = await cutOff(ns, w.name, env.node.ip, broker.podPorts);
        await sleep(30_000);
        await lift();
        return { affected: byCluster(w.cluster), detail: w.name };
      }
      case 'standalone PVC full 20 s': {
        const free = await fill(volume);
        await sleep(20_000);
        await free();
        return { affected: byCluster('solo') };
      }
      case 'scale up / down': {
        distReplicas = distReplicas === 2 ? 3 : 2;
        await cr.patch('kafkaconnects', 'dist', { replicas: distReplicas });
        const want = distReplicas;
        return {
          affected: byCluster('dist'),
          detail: `to ${want}`,
          settle: () =>
            kcReady('dist', (k) => k.status?.replicas === want && k.status?.readyReplicas === want).then(
              connectorsReady,
            ),
        };
      }
      case 'mode switch': {
        soloMode = soloMode === 'standalone' ? 'distributed' : 'standalone';
        const want = soloMode;
        await cr.patch('kafkaconnects', 'solo', { mode: want });
        return {
          affected: byCluster('solo'),
          detail: `to ${want}`,
          settle: () => kcReady('solo', (k) => k.status?.mode === want).then(connectorsReady),
        };
      }
    }
  };

  const rows = new Map<Fault, { injected: number; recoveryMs: number[] }>(
    FAULTS.map((f) => [f, { injected: 0, recoveryMs: [] }]),
  );
  const kindOf: Fault[] = []; // by injection number - 1
  let minutes: number;

  try {
    say(`namespace ${ns}; windows log ${windowsLog(env)}`);
    await broker.up();
    const base = await collector.start(env.node.ip);
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(
      admin,
      pipelines.map((p) => ({ topic: p.topic, numPartitions: p.partitions, replicationFactor: 3 })),
    );
    await admin.disconnect();

    await installCrds(env);
    await createNamespaceReady(core, ns);
    await installOperator(env, { release, namespace: system, watchNamespaces: [ns], createNamespace: true });

    // The standalone worker's volume: a 16 MiB tmpfs on the machine, as a PV bound to its claim ahead.
    await tmpfs(volume, 16);
    await core.createPersistentVolume({
      body: {
        metadata: { name: pvName },
        spec: {
          capacity: { storage: '16Mi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: storageClass,
          hostPath: { path: volume, type: 'Directory' },
          claimRef: { namespace: ns, name: 'solo-connect-data' },
        },
      },
    });

    const workerConfig = {
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    };
    await cr.create('kafkaconnects', 'dist', {
      mode: 'distributed',
      replicas: distReplicas,
      bootstrapServers: broker.podBootstrapServers,
      config: workerConfig,
    });
    await cr.create('kafkaconnects', 'solo', {
      mode: 'standalone',
      bootstrapServers: broker.podBootstrapServers,
      storage: { size: '16Mi', storageClassName: storageClass, deleteClaim: false },
      config: workerConfig,
    });
    for (const p of pipelines) {
      await cr.create('connectors', `${p.cluster}-source`, {
        clusterRef: { name: p.cluster },
        class: 'DataGen',
        tasksMax: p.tasks,
        config: {
          topic: p.topic,
          'key.type': 'sequence',
          'value.shape': 'json',
          'records.per.second': String(rate),
          'batch.size': '100',
        },
      });
      await cr.create('connectors', `${p.cluster}-sink`, {
        clusterRef: { name: p.cluster },
        class: 'HttpSink',
        tasksMax: p.tasks,
        config: {
          topics: p.topic,
          'http.api.url': `${base}/${p.cluster}`,
          'batch.json.as.array': 'true',
          'batch.max.size': '500',
          'max.retries': '-1',
          'retry.backoff.max.ms': '2000',
        },
      });
    }
    // Idle: only there to be changed, so that the operator's answer can be timed.
    await cr.create('connectors', 'probe', {
      clusterRef: { name: 'dist' },
      class: 'DataGen',
      tasksMax: 1,
      config: { topic: `${ns}-probe`, 'max.records': '0', seed: '0' },
    });
    await kcReady('dist', () => true);
    await kcReady('solo', () => true);
    await connectorsReady();
    await flowing(pipelines);
    say('set up: 2 KafkaConnects (distributed x2, standalone), 5 connectors, records flowing');

    // ---- the injector
    const started = Date.now();
    const deadline = started + o.minutes * 60_000;
    let deck: Fault[] = [];
    const deal = () => {
      deck = shuffle(faults);
      // Fill the standalone volume while it is standalone: before the mode switch in the deck.
      const m = deck.indexOf('mode switch');
      const f = deck.indexOf('standalone PVC full 20 s');
      if (m >= 0 && f > m) [deck[m], deck[f]] = [deck[f]!, deck[m]!];
    };
    deal();
    let dealt = 1;
    while (Date.now() < deadline) {
      if (deck.length === 0) {
        if (o.once) break;
        deal();
        dealt++;
      }
      const eligible = deck.filter((f) => f !== 'standalone PVC full 20 s' || soloMode === 'standalone');
      if (eligible.length === 0) {
        deck = [];
        continue;
      }
      const fault = eligible[0]!;
      deck.splice(deck.indexOf(fault), 1);
      collector.injection = kindOf.push(fault);
      const t0 = Date.now();
      const r = await inject(fault);
      const end = Date.now();
      await r.settle?.();
      await flowing(r.affected);
      if (r.operator) await operatorAnswers();
      const recovery = Date.now() - end;
      const row = rows.get(fault)!;
      row.injected++;
      row.recoveryMs.push(recovery);
      say(
        `#${collector.injection} ${fault}${r.detail ? ` (${r.detail})` : ''}: ${secs(end - t0)} injecting, recovered in ${secs(recovery)}`,
      );
      await sleep(gap[0] + Math.random() * (gap[1] - gap[0]));
    }
    minutes = (Date.now() - started) / 60_000;
    say(`injector done: ${kindOf.length} faults in ${minutes.toFixed(1)} min (${dealt} deck(s))`);
    collector.injection = 0xffff;

    // ---- the verdict
    const results: PipelineResult[] = [];
    const lostByKind = new Map<Fault, number>();
    const topicIds = await readIds(kafka, pipelines);
    say(`read the topics: ${pipelines.map((p) => `${p.topic} ${topicIds.get(p.topic)!.size} ids`).join(', ')}`);
    for (const p of pipelines) {
      const inTopic = topicIds.get(p.topic)!;
      const a = collector.arrivals(p.cluster);
      const expected: number[] = [];
      for (let t = 0; t < p.tasks; t++) {
        let max = -1;
        for (const id of inTopic.keys())
          if (id % p.tasks === t && Math.floor(id / p.tasks) > max) max = Math.floor(id / p.tasks);
        for (let s = 0; s <= max; s++) expected.push(t + s * p.tasks);
      }
      const missing = await eventually(
        `${p.cluster}: every record at the sink`,
        () => {
          const m = expected.filter((id) => a.count(id) === 0);
          return m.length === 0 ? m : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 1000 },
      ).catch(() => expected.filter((id) => a.count(id) === 0));
      for (const id of missing) {
        // Blamed on the fault under way when the record before it arrived.
        let prev = id - p.tasks;
        while (prev >= 0 && a.count(prev) === 0) prev -= p.tasks;
        const inj = prev >= 0 ? a.injectionOf(prev) : 0;
        const kind = kindOf[inj - 1];
        if (kind) lostByKind.set(kind, (lostByKind.get(kind) ?? 0) + 1);
      }
      let arrivals = 0;
      for (const id of expected) arrivals += a.count(id);
      let topicRecords = 0;
      for (const n of inTopic.values()) topicRecords += n;
      if (missing.length > 0) {
        const gaps = missing.filter((id) => !inTopic.has(id));
        say(
          `${p.cluster}: ${missing.length} missing at the sink (${gaps.length} not in the topic either): ${missing
            .slice(0, 20)
            .join(', ')}`,
        );
      }
      results.push({
        name: p.cluster === 'dist' ? 'distributed' : 'standalone (switching)',
        produced: expected.length,
        lost: missing.length,
        duplicates: arrivals - (expected.length - missing.length),
        topicDuplicates: topicRecords - inTopic.size,
        recordsPerSecond: rate * p.tasks,
      });
    }
    const dupByKind = new Map<Fault, number>();
    for (const p of pipelines)
      for (const [inj, n] of collector.arrivals(p.cluster).duplicatesByInjection) {
        const kind = kindOf[inj - 1];
        if (kind) dupByKind.set(kind, (dupByKind.get(kind) ?? 0) + n);
      }

    const left = await eventually(
      'every connector RUNNING at the end',
      async () => {
        const bad = await notRunning();
        return bad.length === 0 ? bad : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    ).catch(() => notRunning());
    const pods = [
      ...(await core.listNamespacedPod({ namespace: ns })).items,
      ...(await core.listNamespacedPod({ namespace: system })).items,
    ];
    const restarts: Record<string, number> = {};
    const crashLooping: string[] = [];
    for (const pod of pods) {
      const statuses = pod.status?.containerStatuses ?? [];
      restarts[pod.metadata!.name!] = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      if (statuses.some((s) => s.state?.waiting?.reason === 'CrashLoopBackOff')) crashLooping.push(pod.metadata!.name!);
    }

    const faultRows: FaultRow[] = FAULTS.filter((f) => faults.includes(f)).map((f) => ({
      fault: f,
      injected: rows.get(f)!.injected,
      recoveryMs: rows.get(f)!.recoveryMs,
      lost: lostByKind.get(f) ?? 0,
      duplicates: dupByKind.get(f) ?? 0,
    }));
    const table = aligned([
      ['fault', 'times injected', 'recovery p50', 'recovery p99', 'records lost', 'duplicates'],
      ...faultRows.map((r) => [
        r.fault,
        String(r.injected),
        secs(percentile(r.recoveryMs, 50)),
        secs(percentile(r.recoveryMs, 99)),
        String(r.lost),
        String(r.duplicates),
      ]),
    ]);
    const summary = [
      ...results.map(
        (r) =>
          `${r.name}: ${r.produced} records, ${r.lost} lost, ${r.duplicates} duplicates at the sink (${r.topicDuplicates} in the topic)`,
      ),
      `connectors not RUNNING: ${left.length === 0 ? 'none' : left.join('; ')}`,
      `pods in a crash loop: ${crashLooping.length === 0 ? 'none' : crashLooping.join(', ')}; container restarts: ${
        Object.entries(restarts)
          .filter(([, n]) => n > 0)
          .map(([p, n]) => `${p} ${n}`)
          .join(', ') || 'none'
      }`,
      `${minutes.toFixed(1)} min of faults, ${kindOf.length} injected, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    ].join('\n');
    say(`verdict\n${table}\n${summary}`);
    return {
      rows: faultRows,
      pipelines: results,
      notRunning: left,
      crashLooping,
      restarts,
      injections: kindOf.length,
      minutes,
      table,
      summary,
    };
  } finally {
    say('cleaning up');
    // The Connectors first, while their workers still run, so that each is deleted from its cluster
    // rather than let go unconfirmed when the namespace deletion takes the workers away.
    for (const name of connectorNames)
      await api.request({ method: 'DELETE', path: cr.path('connectors', name) }).catch(() => undefined);
    await eventually(
      'the Connectors gone',
      async () => ((await api.request<any>({ method: 'GET', path: cr.path('connectors') })).items ?? []).length === 0,
      { timeoutMs: 180_000, intervalMs: 1000 },
    ).catch((err: Error) => say(err.message));
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    await namespaceGone(core, ns, { timeoutMs: 180_000 }).catch((err: Error) => say(err.message));
    await uninstallOperator(env, { release, namespace: system });
    await core.deletePersistentVolume({ name: pvName }).catch(() => undefined);
    await unmount(volume);
    await collector.stop();
    await broker.destroy();
  }
}

/** Every DataGen id in the pipelines' topics, with how often it is there (up to the end offsets of now). */
async function readIds(kafka: Kafka, pipelines: Pipeline[]): Promise<Map<string, Map<number, number>>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  for (const p of pipelines)
    for (const o of await admin.fetchTopicOffsets(p.topic)) ends.set(`${p.topic}/${o.partition}`, Number(o.high));
  await admin.disconnect();
  const ids = new Map(pipelines.map((p) => [p.topic, new Map<number, number>()]));
  const pending = new Set([...ends].filter(([, end]) => end > 0).map(([k]) => k));
  if (pending.size === 0) return ids;
  const consumer = kafka.consumer({ groupId: randomName('chaos-verdict') });
  await consumer.connect();
  await consumer.subscribe({ topics: pipelines.map((p) => p.topic), fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`reading the topics: ${[...pending].join(', ')} not read to the end`)),
      300_000,
    );
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          const key = `${batch.topic}/${batch.partition}`;
          const end = ends.get(key) ?? 0;
          const m = ids.get(batch.topic)!;
          for (const msg of batch.messages) {
            if (Number(msg.offset) >= end) break;
            const id = (JSON.parse(msg.value!.toString()) as { id: number }).id;
            m.set(id, (m.get(id) ?? 0) + 1);
          }
          if (Number(batch.lastOffset()) + 1 >= end) {
            pending.delete(key);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return ids;
}
