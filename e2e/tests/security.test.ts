// Security of what the operator deploys, end to end on the real node: the
// operator (installed with the chart) and its workers run in namespaces that
// enforce the `restricted` Pod Security Standard; a Connector uses a
// Kubernetes Secret through ${secret:<name>:<key>}; and one Secret value is
// searched for everywhere it must never appear (ConfigMaps, pod specs, logs,
// CR status, Events, every REST endpoint, the standalone files, the internal
// topics), also after a task failed on purpose: 0 hits. (Before the runtime
// kept placeholders sealed, this sweep found the value in 15 places: logs,
// task status traces, REST task configs and statuses, connectors.json, and
// the config and status topics.)
//
// The test broker has no SASL listener, so the swept value reaches the
// workers through Connector configs only (not as the workers' Kafka password).
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { installOperator, uninstallOperator } from '../src/helm.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { createNamespaceReady, installCrds, kubeConfig, kubectl, rest, sluicePath } from '../src/kube.js';
import { randomName } from '../src/names.js';
import { nodeEnv, type NodeEnv } from '../src/node.js';
import { SluiceResources, diagnostics, workerPods } from '../src/cluster.js';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

describe('security: restricted pods, Secrets in Connectors, the secrets sweep @env', function () {
  this.timeout(600_000);
  const getEnv = withEnv();
  let env: NodeEnv;
  let core: k8s.CoreV1Api;
  let kafka: Kafka;
  const release = randomName('sec');
  const system = `${release}-system`;
  const ns = randomName('sec-apps');
  const secretName = 'sweep-db';
  // The value swept for: long and random, so a hit is a leak and never a coincidence.
  const secretValue = `sweep-${randomBytes(16).toString('hex')}`;
  const marker = `marker-${randomBytes(6).toString('hex')}`;
  const topic = randomName('sec-data');
  const res = () => new SluiceResources(rest(env), ns);

  const kcSpec = (spec: Record<string, unknown>) => ({
    bootstrapServers: env.kafka.podBootstrapServers,
    connectorSecrets: [secretName],
    ...spec,
    config: {
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '1000',
    },
  });
  /** DataGen with a header whose value comes from the Secret (proof that the task resolved it). */
  const generator = (cluster: string) => ({
    clusterRef: { name: cluster },
    class: 'DataGen',
    config: {
      topic,
      'key.type': 'sequence',
      'records.per.second': '20',
      'max.records': '200',
      transforms: 'mark',
      'transforms.mark.type': 'org.apache.kafka.connect.transforms.InsertHeader',
      'transforms.mark.header': 'marker',
      'transforms.mark.value.literal': `\${secret:${secretName}:marker}`,
    },
  });
  /** A sink that fails on purpose: the resolved secret is part of a path that cannot be written. */
  const failingSink = (cluster: string) => ({
    clusterRef: { name: cluster },
    class: 'FileStreamSink',
    autoRestart: { enabled: false },
    config: { topics: topic, file: `/var/lib/sluice/missing-dir/\${secret:${secretName}:password}/out.txt` },
  });

  before(async () => {
    env = nodeEnv(getEnv());
    const kc = kubeConfig(env);
    core = kc.makeApiClient(k8s.CoreV1Api);
    kafka = testKafka(env.kafka.bootstrapServers);
    await installCrds(env);
    for (const n of [system, ns]) await createNamespaceReady(core, n, RESTRICTED);
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: secretName }, stringData: { password: secretValue, marker } },
    });
    await installOperator(env, {
      release,
      namespace: system,
      watchNamespaces: [ns],
      createNamespace: false, // made above, with the restricted labels
      set: { logLevel: 'debug' },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(await diagnostics(env, [ns], system));
  });

  after(async () => {
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
    await uninstallOperator(env, { release, namespace: system });
  });

  it('the restricted namespaces refuse a pod that does not meet the standard (the check is on)', async () => {
    const err = await core
      .createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'loose' },
          spec: { containers: [{ name: 'c', image: env.node.images.runtime }] },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number; body?: string },
      );
    expect(err?.code).to.equal(403);
    const message = String(JSON.parse(String(err?.body)).message);
    expect(message).to.include('violates PodSecurity "restricted:latest"');
  });

  it('runs the operator pod in a restricted namespace', async () => {
    const pods = await core.listNamespacedPod({
      namespace: system,
      labelSelector: 'app.kubernetes.io/name=sluice-operator',
    });
    expect(pods.items).to.have.length(1);
    expect(pods.items[0]!.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
  });

  it('runs standalone and distributed workers in a restricted namespace, with default resources and heap', async () => {
    await res().create('kafkaconnects', 'solo', kcSpec({ mode: 'standalone', storage: { deleteClaim: true } }));
    await res().create('kafkaconnects', 'dist', kcSpec({ mode: 'distributed', replicas: 1 }));
    await res().waitReady('kafkaconnects', 'solo', 300_000);
    await res().waitReady('kafkaconnects', 'dist', 300_000);
    for (const cluster of ['solo', 'dist']) {
      const [pod] = await workerPods(core, ns, cluster);
      const c = pod!.spec!.containers[0]!;
      expect(c.resources?.limits?.['memory']).to.equal('1Gi');
      expect(c.resources?.requests?.['cpu']).to.equal('25m');
      expect(c.env).to.deep.include({ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' });
      // The Secret connectors may use is mounted read-only.
      const mount = c.volumeMounts?.find((m) => m.mountPath === `/etc/sluice/secrets/${secretName}`);
      expect(mount?.readOnly).to.equal(true);
    }
  });

  it('a Connector uses a Secret key: the workers get a ${dir:...} placeholder, only the task the value', async () => {
    await res().create('connectors', 'gen-solo', generator('solo'));
    await res().create('connectors', 'gen-dist', generator('dist'));
    await res().waitReady('connectors', 'gen-solo');
    await res().waitReady('connectors', 'gen-dist');
    // The task resolved the placeholder: its records carry the Secret's value in a header.
    const records = await readTopic(kafka, topic, 10, 120_000);
    expect(records.length).to.be.at.least(10);
    expect(records.every((r) => String(r.headers['marker']) === marker)).to.equal(true);
    // What the workers were given (and return) is the placeholder.
    const config = await workerRest('solo', '/connectors/gen-solo/config');
    expect(config['transforms.mark.value.literal']).to.equal(`\${dir:/etc/sluice/secrets/${secretName}:marker}`);
  });

  it('refuses a Connector that names a Secret its KafkaConnect does not list', async () => {
    await res().create('connectors', 'sneaky', {
      clusterRef: { name: 'solo' },
      class: 'DataGen',
      config: { topic, 'x.password': '${secret:some-other-secret:password}' },
    });
    const cr = await res().waitFor('connectors', 'sneaky', 'SecretNotAllowed', (r) =>
      r.status?.conditions?.some((c: any) => c.reason === 'SecretNotAllowed'),
    );
    expect(cr.status.conditions.find((c: any) => c.type === 'Ready').message).to.include(
      'Secret some-other-secret is not in spec.connectorSecrets of KafkaConnect solo',
    );
    expect(await workerRest('solo', '/connectors/sneaky/config', true)).to.equal(404);
  });

  it('NetworkPolicy (kube-router on the node): a pod without the allowed labels cannot reach a worker; the operator can', async () => {
    const [worker] = await workerPods(core, ns, 'solo');
    const [operator] = (
      await core.listNamespacedPod({ namespace: system, labelSelector: 'app.kubernetes.io/name=sluice-operator' })
    ).items;
    // TCP connects (whatever the protocol on the port): OPEN, or FAIL with the reason.
    const targets = {
      worker: [worker!.status!.podIP, 8083],
      // The metrics port is open to any scraper.
      metrics: [worker!.status!.podIP, 8084],
      // Control: a port no NetworkPolicy covers, so the probe's own network works.
      operator: [operator!.status!.podIP, 8080],
    };
    const script = [
      `const net = require('net'); const t = ${JSON.stringify(targets)};`,
      'setInterval(() => { for (const [k, [host, port]] of Object.entries(t)) {',
      '  const s = net.connect({ host, port, timeout: 2000 });',
      "  s.on('connect', () => { console.log(k, 'OPEN'); s.destroy(); });",
      "  s.on('timeout', () => { console.log(k, 'FAIL timeout'); s.destroy(); });",
      "  s.on('error', (e) => console.log(k, 'FAIL', e.code)); } }, 1000);",
    ].join('\n');
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'probe', labels: { app: 'probe' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'probe',
              image: env.node.images.runtime,
              imagePullPolicy: 'Never',
              command: ['node', '-e', script],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    });
    const lines = await eventually(
      'the probe reached the control 5 times',
      async () => {
        const log = await kubectl(env, '-n', ns, 'logs', 'probe').catch(() => '');
        const l = log.split('\n').filter(Boolean);
        return l.filter((x) => x === 'operator OPEN').length >= 5 ? l : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const toWorker = lines.filter((l) => l.startsWith('worker '));
    expect(toWorker.length).to.be.at.least(5);
    expect(
      toWorker.filter((l) => l === 'worker OPEN'),
      'connections that reached the worker',
    ).to.deep.equal([]);
    expect(lines.filter((l) => l === 'metrics OPEN').length, 'connections to the metrics port').to.be.at.least(1);
    // The operator still reaches the workers: a change of a Connector is carried out through their REST API.
    await res().patch('connectors', 'gen-solo', { state: 'paused' });
    await res().waitFor('connectors', 'gen-solo', 'PAUSED', (r) => r.status?.state === 'PAUSED', 120_000);
    await core.deleteNamespacedPod({ namespace: ns, name: 'probe', gracePeriodSeconds: 0 });
  });

  it('the secrets sweep: the value is nowhere, also after a task failed on purpose', async () => {
    await res().create('connectors', 'fail-solo', failingSink('solo'));
    await res().create('connectors', 'fail-dist', failingSink('dist'));
    for (const name of ['fail-solo', 'fail-dist'])
      await res().waitFor(
        'connectors',
        name,
        'a FAILED task',
        (r) => JSON.stringify(r.status?.tasks ?? r.status ?? {}).includes('FAILED'),
        180_000,
      );
    const hits: string[] = [];
    const search = (where: string, text: string) => {
      if (text.includes(secretValue)) hits.push(where);
    };
    const json = (x: unknown) => JSON.stringify(x);
    for (const n of [ns, system]) {
      for (const cm of (await core.listNamespacedConfigMap({ namespace: n })).items)
        search(`ConfigMap ${n}/${cm.metadata?.name}`, json(cm));
      for (const pod of (await core.listNamespacedPod({ namespace: n })).items) {
        search(`pod spec ${n}/${pod.metadata?.name}`, json(pod));
        for (const c of pod.spec?.containers ?? [])
          search(
            `log ${n}/${pod.metadata?.name}/${c.name}`,
            // A pod that went away meanwhile (a rollout) has no log left to search.
            await kubectl(env, '-n', n, 'logs', pod.metadata!.name!, '-c', c.name).catch(() => ''),
          );
      }
      for (const ev of (await core.listNamespacedEvent({ namespace: n })).items)
        search(`Event ${n}/${ev.metadata?.name}`, json(ev));
    }
    for (const plural of ['kafkaconnects', 'connectors'] as const)
      for (const r of (await rest(env).request<any>({ method: 'GET', path: sluicePath(plural, ns) })).items)
        search(`${plural} ${r.metadata.name}`, json(r));
    // Every REST endpoint of both workers.
    let endpoints = 0;
    for (const cluster of ['solo', 'dist']) {
      const paths = ['/', '/connectors?expand=status&expand=info', '/connector-plugins', '/admin/loggers'];
      for (const c of ['gen', 'fail'].map((p) => `${p}-${cluster}`))
        paths.push(
          ...['', '/config', '/status', '/tasks', '/tasks/0/status', '/topics', '/offsets'].map(
            (s) => `/connectors/${c}${s}`,
          ),
        );
      for (const p of paths) {
        search(`REST ${cluster} ${p}`, json(await workerRest(cluster, p)));
        endpoints++;
      }
      search(`metrics ${cluster}`, await workerMetrics(cluster));
    }
    // The standalone worker's files on its PVC (offsets, connector configs).
    let files = 0;
    for (const f of await pvcFiles('solo-connect-data')) {
      search(`file ${f}`, await readFile(f, 'utf8'));
      files++;
    }
    expect(files, 'the standalone files were found').to.be.at.least(1);
    // The distributed cluster's internal topics.
    for (const t of ['configs', 'offsets', 'status']) {
      const records = await readTopic(kafka, `${ns}.dist-${t}`, Number.MAX_SAFE_INTEGER, 5_000);
      if (t !== 'offsets') expect(records.length, `${t} topic records`).to.be.at.least(1);
      for (const r of records) search(`topic ${t} offset ${r.offset}`, `${r.key ?? ''} ${r.value ?? ''}`);
    }
    console.log(`      swept ${endpoints} REST responses, ${files} files, logs, specs, status, events, topics`);
    expect(hits).to.deep.equal([]);
  });

  /**
   * A worker's REST API, over the pod network (the test runs on the node):
   * https with the client certificate the operator keeps for people
   * (Secret <cluster>-connect-rest-client), the chain checked against the
   * cluster's CA; the pod is addressed by IP, which the certificate does not name.
   */
  async function workerRest(cluster: string, p: string, statusOnly = false): Promise<any> {
    const [pod] = await workerPods(core, ns, cluster);
    const s = await core.readNamespacedSecret({ namespace: ns, name: `${cluster}-connect-rest-client` });
    const pem = (k: string) => Buffer.from(s.data![k]!, 'base64').toString('utf8');
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: pod!.status!.podIP,
          port: 8083,
          path: p,
          ca: pem('ca.crt'),
          cert: pem('tls.crt'),
          key: pem('tls.key'),
          checkServerIdentity: () => undefined,
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${p}: timed out`)));
      req.on('error', reject);
      req.end();
    });
    if (statusOnly) return status;
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  /** The plain health/metrics port. */
  async function workerMetrics(cluster: string): Promise<string> {
    const [pod] = await workerPods(core, ns, cluster);
    return (await fetch(`http://${pod!.status!.podIP}:8084/metrics`)).text();
  }

  /** Every file in the volume bound to a claim (the local provisioner's hostPath). */
  async function pvcFiles(claim: string): Promise<string[]> {
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: claim });
    const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    const dir = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!dir) throw new Error(`PV ${pv.metadata?.name} has no host path`);
    const out: string[] = [];
    const walk = async (d: string) => {
      for (const e of await readdir(d)) {
        const f = path.join(d, e);
        if ((await stat(f)).isDirectory()) await walk(f);
        else out.push(f);
      }
    };
    await walk(dir);
    return out;
  }
});
