// The real node (e2e/env/node.sh) runs what users run: our runtime image
// from runtime/Dockerfile in containerd, with Services and cluster DNS,
// enforced securityContext, provisioned volumes, the test broker reachable
// from pods, and graceful termination.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { createTopic, readTopic, testKafka } from '../src/kafka.js';
import { toProperties, STRING_CONVERTER } from '../src/runtime-process.js';
import {
  followLogs,
  isReady,
  nodeEnv,
  podLogs,
  runPod,
  waitForPod,
  waitForPodGone,
  type NodeEnv,
} from '../src/node.js';

describe('test environment: a real node runs our images @env', function () {
  this.timeout(300_000);
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let env: NodeEnv;
  const namespace = randomName('node-test');
  const getEnv = withEnv();

  before(async () => {
    env = nodeEnv(getEnv());
    kc = new k8s.KubeConfig();
    kc.loadFromFile(env.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // Pods need the namespace's default ServiceAccount (made by the controller-manager).
    await eventually('the default ServiceAccount', () =>
      core.readNamespacedServiceAccount({ namespace, name: 'default' }).then(() => true),
    );
  });

  after(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  /** A container of our runtime image running `node -e <script>` in /opt/sluice. */
  const nodeScript = (script: string, extra: Partial<k8s.V1Container> = {}): k8s.V1Container => ({
    name: 'main',
    image: env.node.images.runtime,
    imagePullPolicy: 'Never', // there is no registry: the image must be the one imported into containerd
    command: ['node', '-e', script],
    ...extra,
  });

  /** A standalone worker's properties with its offsets on the /var/lib/sluice volume. */
  const workerProperties = () =>
    toProperties({
      'bootstrap.servers': env.kafka.podBootstrapServers,
      'key.converter': STRING_CONVERTER,
      'value.converter': STRING_CONVERTER,
      'offset.storage.file.filename': '/var/lib/sluice/offsets.json',
      'offset.flush.interval.ms': 1000,
    });

  /** A pod spec running the runtime image as it ships (standalone worker from a ConfigMap). */
  const workerPodSpec = (configMap: string, grace = 30): k8s.V1PodSpec => ({
    terminationGracePeriodSeconds: grace,
    securityContext: { runAsNonRoot: true },
    containers: [
      {
        name: 'worker',
        image: env.node.images.runtime,
        imagePullPolicy: 'Never',
        ports: [{ name: 'rest', containerPort: 8083 }],
        readinessProbe: { httpGet: { path: '/health', port: 'rest' }, periodSeconds: 1 },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/sluice' },
          { name: 'data', mountPath: '/var/lib/sluice' },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: configMap } },
      { name: 'data', emptyDir: {} },
    ],
  });

  const workerConfigMap = async (name: string) =>
    core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name }, data: { 'worker.properties': workerProperties() } },
    });

  it('runs a Deployment of the runtime image to Ready; its /health answers through a Service by DNS name', async () => {
    await workerConfigMap('worker');
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'worker' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'worker' } },
          template: { metadata: { labels: { app: 'worker' } }, spec: workerPodSpec('worker') },
        },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'connect' },
        spec: { selector: { app: 'worker' }, ports: [{ name: 'rest', port: 80, targetPort: 'rest' }] },
      },
    });
    const ready = await eventually(
      'the Deployment available',
      async () => {
        const d = await apps.readNamespacedDeployment({ namespace, name: 'worker' });
        return d.status?.readyReplicas === 1 ? d : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(ready.status?.availableReplicas).to.equal(1);
    const [pod] = (await core.listNamespacedPod({ namespace, labelSelector: 'app=worker' })).items;
    expect(pod?.spec?.nodeName).to.equal(env.node.name);
    expect(pod?.status?.containerStatuses?.[0]?.imageID).to.match(/^sha256:|@sha256:/);
    expect(pod?.status?.podIP).to.match(/^10\.244\./);

    // From another pod: the Service's short name through cluster DNS (search path), and the FQDN.
    const client = await runPod(
      env,
      core,
      namespace,
      'health-client',
      nodeScript(`
        const dns = require('node:dns/promises');
        (async () => {
          const fqdn = 'connect.${namespace}.svc.cluster.local';
          const { address } = await dns.lookup(fqdn);
          // kube-proxy programs a just-Ready endpoint a moment after the EndpointSlice
          // says so; until then the Service refuses connections (as on any cluster).
          let res;
          for (let attempt = 1; ; attempt++) {
            try { res = await fetch('http://connect/health'); break; }
            catch (e) { if (e.cause?.code !== 'ECONNREFUSED' || attempt >= 60) throw e; }
            await new Promise((r) => setTimeout(r, 250));
          }
          console.log(JSON.stringify({ address, status: res.status, body: await res.json() }));
        })().catch((e) => { console.error(e); process.exit(1); });`),
    );
    expect(client.phase, client.logs).to.equal('Succeeded');
    const answer = JSON.parse(client.logs.trim().split('\n').pop()!);
    const service = await core.readNamespacedService({ namespace, name: 'connect' });
    expect(answer.address).to.equal(service.spec?.clusterIP);
    expect(answer.status).to.equal(200);
    expect(answer.body.status).to.equal('healthy');
  });

  it('lets a pod reach the apiserver through the kubernetes Service with its ServiceAccount (in-cluster config)', async () => {
    const run = await runPod(
      env,
      core,
      namespace,
      'in-cluster',
      nodeScript(`
        const fs = require('node:fs');
        const https = require('node:https');
        const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
        const host = process.env.KUBERNETES_SERVICE_HOST, port = process.env.KUBERNETES_SERVICE_PORT;
        const get = (path) => new Promise((resolve, reject) => https.get({
          host: 'kubernetes.default.svc', port, path, ca: fs.readFileSync(sa + '/ca.crt'),
          headers: { Authorization: 'Bearer ' + fs.readFileSync(sa + '/token', 'utf8') },
        }, (res) => { let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve({ status: res.statusCode, body })); }).on('error', reject));
        (async () => {
          const version = await get('/version');
          const secrets = await get('/api/v1/namespaces/${namespace}/secrets');
          console.log(JSON.stringify({ host, version: JSON.parse(version.body).gitVersion, secrets: secrets.status }));
        })().catch((e) => { console.error(e); process.exit(1); });`),
    );
    expect(run.phase, run.logs).to.equal('Succeeded');
    const seen = JSON.parse(run.logs.trim().split('\n').pop()!);
    const service = await core.readNamespacedService({ namespace: 'default', name: 'kubernetes' });
    expect(seen.host).to.equal(service.spec?.clusterIP);
    expect(seen.version).to.equal(env.kubernetes.version);
    // Authenticated as the pod's ServiceAccount, which RBAC does not let read secrets.
    expect(seen.secrets).to.equal(403);
  });

  it('enforces runAsNonRoot, readOnlyRootFilesystem and dropped capabilities on the runtime image', async () => {
    const restricted: k8s.V1SecurityContext = {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    };
    const run = await runPod(
      env,
      core,
      namespace,
      'restricted',
      nodeScript(
        `
        const fs = require('node:fs');
        const attempt = (file) => { try { fs.writeFileSync(file, 'x'); return 'ok'; } catch (e) { return e.code; } };
        const status = fs.readFileSync('/proc/self/status', 'utf8');
        console.log(JSON.stringify({
          uid: process.getuid(),
          capEff: /CapEff:\\s*(\\w+)/.exec(status)[1],
          root: attempt('/opt/sluice/written'),
          tmp: attempt('/tmp/written'),
          volume: attempt('/var/lib/sluice/written'),
          readBack: fs.readFileSync('/var/lib/sluice/written', 'utf8'),
        }));`,
        {
          securityContext: restricted,
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/sluice' }],
        },
      ),
      { volumes: [{ name: 'data', emptyDir: {} }] },
    );
    expect(run.phase, run.logs).to.equal('Succeeded');
    const seen = JSON.parse(run.logs.trim().split('\n').pop()!);
    expect(seen).to.deep.equal({
      uid: 1000,
      capEff: '0000000000000000',
      root: 'EROFS',
      tmp: 'EROFS',
      volume: 'ok',
      readBack: 'x',
    });

    // runAsNonRoot is checked by the kubelet: the same image forced to uid 0 never starts.
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'as-root' },
        spec: {
          restartPolicy: 'Never',
          containers: [nodeScript('console.log("ran")', { securityContext: { ...restricted, runAsUser: 0 } })],
        },
      },
    });
    const refused = await waitForPod(
      core,
      namespace,
      'as-root',
      'refused to start',
      (p) => !!p.status?.containerStatuses?.[0]?.state?.waiting?.message,
    );
    const waiting = refused.status?.containerStatuses?.[0]?.state?.waiting;
    expect(waiting?.reason).to.equal('CreateContainerConfigError');
    expect(waiting?.message).to.match(/non-root/);
  });

  it('binds a StatefulSet volumeClaimTemplate to a provisioned volume whose data survives the pod', async () => {
    const token = randomName('data');
    const script = `
      const fs = require('node:fs');
      const file = '/data/token';
      if (fs.existsSync(file)) console.log('found ' + fs.readFileSync(file, 'utf8'));
      else { fs.writeFileSync(file, process.env.TOKEN); console.log('wrote ' + process.env.TOKEN); }
      setInterval(() => undefined, 60_000);
      process.on('SIGTERM', () => process.exit(0));`;
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'store' },
        spec: {
          replicas: 1,
          serviceName: 'store',
          selector: { matchLabels: { app: 'store' } },
          template: {
            metadata: { labels: { app: 'store' } },
            spec: {
              terminationGracePeriodSeconds: 5,
              securityContext: { runAsNonRoot: true },
              containers: [
                nodeScript(script, {
                  env: [{ name: 'TOKEN', value: token }],
                  volumeMounts: [{ name: 'data', mountPath: '/data' }],
                }),
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
            },
          ],
        },
      },
    });
    const pvc = await eventually(
      'the claim data-store-0 bound',
      async () => {
        const c = await core.readNamespacedPersistentVolumeClaim({ namespace, name: 'data-store-0' });
        return c.status?.phase === 'Bound' ? c : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(pvc.spec?.storageClassName).to.equal(env.node.storageClass); // the default class
    const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    expect(pv.spec?.claimRef?.uid).to.equal(pvc.metadata?.uid);
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).to.equal('sluice.dev/local');

    const first = await waitForPod(core, namespace, 'store-0', 'Running', (p) => p.status?.phase === 'Running');
    await eventually('the first pod wrote its token', async () =>
      (await podLogs(env, namespace, 'store-0')).includes(`wrote ${token}`),
    );
    await core.deleteNamespacedPod({ namespace, name: 'store-0' });
    const second = await waitForPod(
      core,
      namespace,
      'store-0',
      'recreated and Running',
      (p) => p.metadata?.uid !== first.metadata?.uid && p.status?.phase === 'Running',
    );
    expect(second.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).to.equal(
      'data-store-0',
    );
    const logs = await eventually('the second pod read the token', async () => {
      const l = await podLogs(env, namespace, 'store-0');
      return l.includes('found') ? l : undefined;
    });
    expect(logs.trim()).to.equal(`found ${token}`);
  });

  it('lets a pod produce to the test broker with the kafkajs of the runtime image', async () => {
    const topic = randomName('node-produce');
    const value = randomName('from-pod');
    await createTopic(testKafka(env.kafka.bootstrapServers), topic);
    const run = await runPod(
      env,
      core,
      namespace,
      'producer',
      nodeScript(`
        const { Kafka, logLevel } = require('kafkajs');
        (async () => {
          const producer = new Kafka({ clientId: 'pod', brokers: ['${env.kafka.podBootstrapServers}'], logLevel: logLevel.NOTHING }).producer();
          await producer.connect();
          const [meta] = await producer.send({ topic: '${topic}', acks: -1, messages: [{ key: 'k', value: '${value}' }] });
          await producer.disconnect();
          console.log('produced at offset ' + meta.baseOffset);
        })().catch((e) => { console.error(e); process.exit(1); });`),
    );
    expect(run.phase, run.logs).to.equal('Succeeded');
    expect(run.logs).to.contain('produced at offset 0');
    const records = await readTopic(testKafka(env.kafka.bootstrapServers), topic, 1, 30_000);
    expect(records.map((r) => [r.key, r.value])).to.deep.equal([['k', value]]);
  });

  it('sends SIGTERM on pod deletion and honours the grace period', async () => {
    // The runtime shuts down on SIGTERM, well within its grace period.
    await workerConfigMap('graceful');
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'graceful' }, spec: workerPodSpec('graceful', 30) },
    });
    await waitForPod(core, namespace, 'graceful', 'Ready', isReady);
    const workerLog = followLogs(env, namespace, 'graceful');
    await new Promise((r) => setTimeout(r, 500)); // let kubectl attach before the signal
    let since = Date.now();
    await core.deleteNamespacedPod({ namespace, name: 'graceful' });
    const workerGone = await waitForPodGone(core, namespace, 'graceful', since);
    const lines = (await workerLog.done)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string; signal?: string });
    const shutdown = lines.find((l) => l.message === 'Shutting down');
    expect(shutdown?.signal).to.equal('SIGTERM');
    expect(lines.map((l) => l.message)).to.include('Kafka Connect stopped');
    expect(workerGone).to.be.below(30_000);

    // A process that ignores SIGTERM is killed only once its grace period is over.
    const grace = 4;
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'stubborn' },
        spec: {
          terminationGracePeriodSeconds: grace,
          containers: [
            nodeScript(`
              process.on('SIGTERM', () => console.log('SIGTERM ignored'));
              console.log('started');
              setInterval(() => undefined, 60_000);`),
          ],
        },
      },
    });
    await waitForPod(core, namespace, 'stubborn', 'Running', (p) => p.status?.phase === 'Running');
    await eventually('the stubborn pod started', async () =>
      (await podLogs(env, namespace, 'stubborn')).includes('started'),
    );
    const stubbornLog = followLogs(env, namespace, 'stubborn');
    await new Promise((r) => setTimeout(r, 500));
    since = Date.now();
    await core.deleteNamespacedPod({ namespace, name: 'stubborn' });
    const stubbornGone = await waitForPodGone(core, namespace, 'stubborn', since);
    expect(await stubbornLog.done).to.contain('SIGTERM ignored');
    expect(stubbornGone).to.be.at.least(grace * 1000);
    expect(stubbornGone).to.be.below(30_000);
  });
});
