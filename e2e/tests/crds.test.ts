// The generated CRDs against a real kube-apiserver: the OpenAPI schema and
// CEL rules reject bad specs with clear messages, defaults are applied by the
// server, and kubectl explain / scale / get and HPAs work on our kinds.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { crds } from '../../operator/src/api/crds.js';
import { repoRoot, withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { randomName } from '../src/names.js';

const run = promisify(execFile);

const GROUP = 'sluice.dev';
const VERSION = 'v1alpha1';
const FIELD_MANAGER = 'sluice-crds-test';

type Obj = Record<string, unknown>;
type Kind = 'KafkaConnect' | 'Connector';
const plural: Record<Kind, string> = { KafkaConnect: 'kafkaconnects', Connector: 'connectors' };

/** The apiserver's Status message out of a client-node error, or the error text. */
function apiMessage(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    const body: unknown = err.body;
    const parsed: unknown =
      typeof body === 'string'
        ? (() => {
            try {
              return JSON.parse(body) as unknown;
            } catch {
              return body;
            }
          })()
        : body;
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      return parsed.message;
    }
    return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
  }
  return err instanceof Error ? err.message : String(err);
}

const bootstrapServers = 'kafka:9092';

interface InvalidCase {
  title: string;
  kind: Kind;
  spec: Obj;
  /** Every one of these must appear in the apiserver's message. */
  messages: Array<string | RegExp>;
}

const kc = (spec: Obj): Obj => ({ bootstrapServers, ...spec });
const ctr = (spec: Obj): Obj => ({ clusterRef: { name: 'connect' }, class: 'FileStreamSource', ...spec });

const invalid: InvalidCase[] = [
  {
    title: 'KafkaConnect with an unknown runtime',
    kind: 'KafkaConnect',
    spec: { bootstrapServers: 'k:9092', runtime: 'spark' },
    messages: ['spec.runtime', 'Unsupported value: "spark"'],
  },
  {
    title: 'KafkaConnect with a plugin name that is not a directory name',
    kind: 'KafkaConnect',
    spec: { bootstrapServers: 'k:9092', plugins: [{ name: '../etc', image: 'x' }] },
    messages: ['spec.plugins[0].name'],
  },
  {
    title: 'KafkaConnect with a plugin without an image',
    kind: 'KafkaConnect',
    spec: { bootstrapServers: 'k:9092', plugins: [{ name: 'dbz' }] },
    messages: ['spec.plugins[0].image: Required value'],
  },
  {
    title: 'KafkaConnect without bootstrapServers',
    kind: 'KafkaConnect',
    spec: { mode: 'distributed' },
    messages: ['spec.bootstrapServers: Required value'],
  },
  {
    title: 'KafkaConnect with empty bootstrapServers',
    kind: 'KafkaConnect',
    spec: { bootstrapServers: '' },
    messages: ['spec.bootstrapServers', 'at least 1 chars long'],
  },
  {
    title: 'mode not in the enum',
    kind: 'KafkaConnect',
    spec: kc({ mode: 'cluster' }),
    messages: ['spec.mode: Unsupported value: "cluster"', '"standalone"', '"distributed"'],
  },
  {
    title: 'standalone with replicas 3 (CEL rule)',
    kind: 'KafkaConnect',
    spec: kc({ mode: 'standalone', replicas: 3 }),
    messages: ['spec.replicas', 'standalone mode runs one worker: replicas must be 0 or 1'],
  },
  {
    title: 'negative replicas',
    kind: 'KafkaConnect',
    spec: kc({ replicas: -1 }),
    messages: ['spec.replicas', 'should be greater than or equal to 0'],
  },
  {
    title: 'replicationFactor below -1',
    kind: 'KafkaConnect',
    spec: kc({ replicationFactor: -2 }),
    messages: ['spec.replicationFactor', 'should be greater than or equal to -1'],
  },
  ...['group.id', 'bootstrap.servers', 'ssl.keystore.location', 'sasl.jaas.config', 'config.providers.file.class'].map(
    (key): InvalidCase => ({
      title: `config with the reserved key ${key} (CEL rule)`,
      kind: 'KafkaConnect',
      spec: kc({ config: { 'key.converter': 'org.apache.kafka.connect.json.JsonConverter', [key]: 'x' } }),
      messages: ['spec.config', 'config may not set keys the operator manages'],
    }),
  ),
  {
    title: 'imagePullPolicy not in the enum',
    kind: 'KafkaConnect',
    spec: kc({ imagePullPolicy: 'Sometimes' }),
    messages: ['spec.imagePullPolicy: Unsupported value: "Sometimes"'],
  },
  {
    title: 'authentication type tls without certificateAndKey',
    kind: 'KafkaConnect',
    spec: kc({ tls: {}, authentication: { type: 'tls' } }),
    messages: ['spec.authentication', 'authentication type tls needs certificateAndKey'],
  },
  {
    title: 'SASL without passwordSecret',
    kind: 'KafkaConnect',
    spec: kc({ authentication: { type: 'scram-sha-512', username: 'connect' } }),
    messages: ['spec.authentication', 'SASL authentication needs username and passwordSecret'],
  },
  {
    title: 'authentication type not in the enum',
    kind: 'KafkaConnect',
    spec: kc({
      authentication: { type: 'kerberos', username: 'u', passwordSecret: { secretName: 's', password: 'p' } },
    }),
    messages: ['spec.authentication.type: Unsupported value: "kerberos"'],
  },
  {
    title: 'passwordSecret without its key',
    kind: 'KafkaConnect',
    spec: kc({ authentication: { type: 'plain', username: 'u', passwordSecret: { secretName: 's' } } }),
    messages: ['spec.authentication.passwordSecret.password: Required value'],
  },
  {
    title: 'a trusted certificate without secretName',
    kind: 'KafkaConnect',
    spec: kc({ tls: { trustedCertificates: [{ certificate: 'ca.crt' }] } }),
    messages: ['spec.tls.trustedCertificates[0].secretName: Required value'],
  },
  {
    title: 'storage size that is not a quantity',
    kind: 'KafkaConnect',
    spec: kc({ mode: 'standalone', storage: { size: 'lots' } }),
    messages: ['spec.storage.size', '"lots"', 'should match'],
  },
  {
    title: 'logging level not in the enum',
    kind: 'KafkaConnect',
    spec: kc({ logging: { level: 'VERBOSE' } }),
    messages: ['spec.logging.level: Unsupported value: "VERBOSE"', '"INFO"'],
  },
  {
    title: 'Connector without clusterRef',
    kind: 'Connector',
    spec: { class: 'FileStreamSource' },
    messages: ['spec.clusterRef: Required value'],
  },
  {
    title: 'Connector with an empty clusterRef name',
    kind: 'Connector',
    spec: ctr({ clusterRef: { name: '' } }),
    messages: ['spec.clusterRef.name', 'at least 1 chars long'],
  },
  {
    title: 'Connector without class',
    kind: 'Connector',
    spec: { clusterRef: { name: 'connect' } },
    messages: ['spec.class: Required value'],
  },
  {
    title: 'Connector tasksMax 0',
    kind: 'Connector',
    spec: ctr({ tasksMax: 0 }),
    messages: ['spec.tasksMax', 'should be greater than or equal to 1'],
  },
  ...['connector.class', 'tasks.max', 'name'].map((key): InvalidCase => ({
    title: `Connector config setting ${key} (CEL rule)`,
    kind: 'Connector',
    spec: ctr({ config: { file: '/tmp/in.txt', [key]: 'x' } }),
    messages: ['spec.config', 'config may not set name, connector.class or tasks.max'],
  })),
  {
    title: 'Connector state "running-fast"',
    kind: 'Connector',
    spec: ctr({ state: 'running-fast' }),
    messages: ['spec.state: Unsupported value: "running-fast"', '"running"', '"paused"', '"stopped"'],
  },
  {
    title: 'Connector autoRestart.maxRestarts below 0',
    kind: 'Connector',
    spec: ctr({ autoRestart: { maxRestarts: -1 } }),
    messages: ['spec.autoRestart.maxRestarts', 'should be greater than or equal to 0'],
  },
];

describe('CRDs on a real apiserver @env', () => {
  const env = withEnv();
  const namespace = randomName('crds-test');
  let kc8s: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let custom: k8s.CustomObjectsApi;
  let ext: k8s.ApiextensionsV1Api;

  const kubectl = async (...args: string[]) => {
    const { stdout } = await run(path.join(env().kubernetes.bin, 'kubectl'), [
      '--kubeconfig',
      env().kubeconfig,
      ...args,
    ]);
    return stdout;
  };

  const create = (kind: Kind, name: string, spec: Obj) =>
    custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: plural[kind],
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name }, spec },
    }) as Promise<{ metadata: { name: string }; spec: Obj }>;

  const get = (kind: Kind, name: string) =>
    custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: plural[kind],
      name,
    }) as Promise<{
      spec: Obj;
    }>;

  before(async function () {
    this.timeout(120_000);
    kc8s = new k8s.KubeConfig();
    kc8s.loadFromFile(env().kubeconfig);
    core = kc8s.makeApiClient(k8s.CoreV1Api);
    custom = kc8s.makeApiClient(k8s.CustomObjectsApi);
    ext = kc8s.makeApiClient(k8s.ApiextensionsV1Api);
    // Server-side apply of the committed files, as `kubectl apply --server-side` users and Helm's crds/
    // would. (Not KubernetesObjectApi: it serialises through the typed V1CustomResourceDefinition model
    // and silently drops keys like x-kubernetes-int-or-string and x-kubernetes-validations.)
    for (const crd of crds) {
      await kubectl(
        'apply',
        '--server-side',
        '--force-conflicts',
        `--field-manager=${FIELD_MANAGER}`,
        '-f',
        path.join(repoRoot, 'crds', `${crd.metadata.name}.yaml`),
      );
    }
    for (const crd of crds) {
      await eventually(`CRD ${crd.metadata.name} Established`, async () => {
        const read = await ext.readCustomResourceDefinition({ name: crd.metadata.name });
        const cond = (type: string) => read.status?.conditions?.find((c) => c.type === type)?.status === 'True';
        return cond('Established') && cond('NamesAccepted');
      });
    }
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  after(async () => {
    // The CRDs stay: other suites and the next run reuse them (SSA keeps them current).
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('stores the schema whole: CEL rules and int-or-string survive the round trip', async () => {
    const read = await ext.readCustomResourceDefinition({ name: 'kafkaconnects.sluice.dev' });
    const spec = read.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.['spec'];
    expect(spec?.x_kubernetes_validations?.map((v) => v.message)).to.deep.equal([
      'standalone mode runs one worker: replicas must be 0 or 1',
    ]);
    expect(spec?.properties?.['config']?.x_kubernetes_validations).to.have.length(1);
    expect(spec?.properties?.['storage']?.properties?.['size']?.x_kubernetes_int_or_string).to.equal(true);
  });

  it('applies both CRDs with server-side apply, structural and without warnings', async () => {
    for (const crd of crds) {
      const read = await ext.readCustomResourceDefinition({ name: crd.metadata.name });
      const conditions = read.status?.conditions ?? [];
      expect(
        conditions.find((c) => c.type === 'NonStructuralSchema'),
        crd.metadata.name,
      ).to.equal(undefined);
      expect(read.status?.acceptedNames?.kind).to.equal(crd.spec.names.kind);
      expect(
        read.metadata?.managedFields?.some((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply'),
      ).to.equal(true);
    }
  });

  describe(`rejects invalid specs with a clear message (${invalid.length} cases)`, () => {
    for (const c of invalid) {
      it(`rejects ${c.title}`, async () => {
        let error: unknown;
        try {
          await create(c.kind, randomName('bad'), c.spec);
        } catch (err) {
          error = err;
        }
        expect(error, `${c.title} was accepted`).to.not.equal(undefined);
        expect(error).to.be.instanceOf(k8s.ApiException);
        expect((error as k8s.ApiException<unknown>).code, apiMessage(error)).to.equal(422);
        const message = apiMessage(error);
        expect(message).to.contain(`${c.kind}.${GROUP}`);
        for (const m of c.messages) {
          if (typeof m === 'string') expect(message).to.contain(m);
          else expect(message).to.match(m);
        }
      });
    }
  });

  describe('accepts valid specs and applies defaults on the server', () => {
    it('defaults a minimal KafkaConnect to one distributed worker', async () => {
      const created = await create('KafkaConnect', randomName('kc'), { bootstrapServers });
      expect(created.spec).to.deep.equal({
        bootstrapServers,
        mode: 'distributed',
        runtime: 'sluice',
        replicas: 1,
        replicationFactor: -1,
      });
    });

    it('accepts spec.runtime apache with plugin images', async () => {
      const name = randomName('kc');
      await create('KafkaConnect', name, {
        bootstrapServers,
        runtime: 'apache',
        plugins: [{ name: 'debezium-postgres', image: 'plugins/dbz:3.6.1' }],
      });
      const { spec } = await get('KafkaConnect', name);
      expect(spec.runtime).to.equal('apache');
      expect(spec.plugins).to.deep.equal([{ name: 'debezium-postgres', image: 'plugins/dbz:3.6.1' }]);
    });

    it('defaults storage.size, logging.level and metrics.enabled when their objects are given', async () => {
      const name = randomName('kc');
      await create('KafkaConnect', name, {
        bootstrapServers,
        mode: 'standalone',
        storage: {},
        logging: {},
        metrics: {},
      });
      const { spec } = await get('KafkaConnect', name);
      expect(spec).to.deep.include({ mode: 'standalone', replicas: 1 });
      expect(spec.storage).to.deep.equal({ size: '1Gi', deleteClaim: false });
      expect(spec.logging).to.deep.equal({ level: 'INFO' });
      expect(spec.metrics).to.deep.equal({ enabled: true });
    });

    it('accepts standalone with 0 replicas and quantities as strings or numbers', async () => {
      const a = await create('KafkaConnect', randomName('kc'), {
        bootstrapServers,
        mode: 'standalone',
        replicas: 0,
        storage: { size: '500Mi', storageClassName: 'fast' },
      });
      expect(a.spec).to.deep.include({
        replicas: 0,
        storage: { size: '500Mi', storageClassName: 'fast', deleteClaim: false },
      });
      const b = await create('KafkaConnect', randomName('kc'), {
        bootstrapServers,
        mode: 'standalone',
        storage: { size: 1073741824 },
      });
      expect((b.spec.storage as Obj).size).to.equal(1073741824);
    });

    it('accepts a fully specified secured distributed cluster', async () => {
      const spec = {
        bootstrapServers: 'b1:9093,b2:9093',
        mode: 'distributed',
        runtime: 'sluice',
        replicas: 3,
        image: 'sluice/runtime:dev',
        imagePullPolicy: 'IfNotPresent',
        groupId: 'connect-cluster',
        configStorageTopic: 'c-configs',
        offsetStorageTopic: 'c-offsets',
        statusStorageTopic: 'c-status',
        replicationFactor: 3,
        config: {
          'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'offset.flush.interval.ms': '10000',
        },
        tls: { trustedCertificates: [{ secretName: 'cluster-ca', certificate: 'ca.crt' }] },
        authentication: {
          type: 'scram-sha-512',
          username: 'connect',
          passwordSecret: { secretName: 'pw', password: 'password' },
        },
        resources: { requests: { cpu: '500m', memory: '1Gi' } },
        template: {
          labels: { team: 'data' },
          tolerations: [{ key: 'dedicated', operator: 'Exists' }],
          env: [{ name: 'X', value: '1' }],
          affinity: { nodeAffinity: {} },
        },
        logging: { level: 'DEBUG', loggers: { 'org.apache.kafka.connect': 'TRACE' } },
        metrics: { enabled: false },
      };
      const created = await create('KafkaConnect', randomName('kc'), spec);
      expect(created.spec).to.deep.equal(spec);
    });

    it('accepts mTLS authentication with certificateAndKey', async () => {
      const created = await create('KafkaConnect', randomName('kc'), {
        bootstrapServers,
        tls: {},
        authentication: {
          type: 'tls',
          certificateAndKey: { secretName: 'user', certificate: 'tls.crt', key: 'tls.key' },
        },
      });
      expect((created.spec.authentication as Obj).type).to.equal('tls');
    });

    it('defaults a minimal Connector to one running task', async () => {
      const created = await create('Connector', randomName('ctr'), ctr({}));
      expect(created.spec).to.deep.equal({
        clusterRef: { name: 'connect' },
        class: 'FileStreamSource',
        tasksMax: 1,
        state: 'running',
      });
    });

    it('defaults autoRestart.enabled to true when autoRestart is given', async () => {
      const name = randomName('ctr');
      await create(
        'Connector',
        name,
        ctr({ autoRestart: { maxRestarts: 5 }, config: { file: '/tmp/in', topic: 't' } }),
      );
      const { spec } = await get('Connector', name);
      expect(spec.autoRestart).to.deep.equal({ enabled: true, maxRestarts: 5 });
      expect(spec).to.deep.include({ tasksMax: 1, state: 'running' });
    });

    it('keeps explicit Connector values (paused, tasksMax 4, autoRestart disabled)', async () => {
      const created = await create(
        'Connector',
        randomName('ctr'),
        ctr({ state: 'paused', tasksMax: 4, autoRestart: { enabled: false } }),
      );
      expect(created.spec).to.deep.include({ state: 'paused', tasksMax: 4, autoRestart: { enabled: false } });
    });
  });

  describe('kubectl and autoscaling', () => {
    it('kubectl explain kafkaconnect.spec.mode prints the field description', async () => {
      const out = await eventually(
        'kubectl explain to know KafkaConnect',
        () => kubectl('explain', 'kafkaconnect.spec.mode', '--api-version', `${GROUP}/${VERSION}`),
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      expect(out).to.contain('KIND:       KafkaConnect');
      expect(out).to.contain('FIELD: mode <string>');
      expect(out).to.contain('standalone: one worker (Deployment) with offsets in a file on a PVC.');
      expect(out).to.match(/ENUM:\s+standalone\s+distributed/);
    });

    it('kubectl explain connector.spec.tasksMax prints the field description', async () => {
      const out = await eventually(
        'kubectl explain to know Connector',
        () => kubectl('explain', 'connector.spec.tasksMax', '--api-version', `${GROUP}/${VERSION}`),
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      expect(out).to.contain('FIELD: tasksMax <integer>');
      expect(out).to.contain('Maximum number of tasks');
    });

    it('kubectl scale changes spec.replicas through the scale subresource', async () => {
      const name = randomName('kc');
      await create('KafkaConnect', name, { bootstrapServers });
      const out = await kubectl('-n', namespace, 'scale', '--replicas=2', `kafkaconnect/${name}`);
      expect(out).to.contain('scaled');
      expect((await get('KafkaConnect', name)).spec.replicas).to.equal(2);
      const scale = (await custom.getNamespacedCustomObjectScale({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: 'kafkaconnects',
        name,
      })) as { kind: string; spec: { replicas: number } };
      expect(scale.kind).to.equal('Scale');
      expect(scale.spec.replicas).to.equal(2);
    });

    it('kubectl scale on a standalone cluster is still bound by the CEL rule', async () => {
      const name = randomName('kc');
      await create('KafkaConnect', name, { bootstrapServers, mode: 'standalone' });
      const failure = await kubectl('-n', namespace, 'scale', '--replicas=3', `kafkaconnect/${name}`).then(
        () => undefined,
        (err: Error & { stderr?: string }) => err.stderr ?? err.message,
      );
      expect(failure, 'scaling standalone to 3 succeeded').to.be.a('string');
      expect(failure).to.contain('standalone mode runs one worker: replicas must be 0 or 1');
      expect((await get('KafkaConnect', name)).spec.replicas).to.equal(1);
    });

    it('kubectl scale changes a Connector spec.tasksMax', async () => {
      const name = randomName('ctr');
      await create('Connector', name, ctr({}));
      await kubectl('-n', namespace, 'scale', '--replicas=3', `connector.${GROUP}/${name}`);
      expect((await get('Connector', name)).spec.tasksMax).to.equal(3);
    });

    it('kubectl get kafkaconnects prints the printer columns', async () => {
      const name = randomName('kc');
      await create('KafkaConnect', name, { bootstrapServers, mode: 'standalone' });
      const out = await kubectl('-n', namespace, 'get', 'kafkaconnects');
      const [header, ...rows] = out.trimEnd().split('\n');
      expect(header?.trim().split(/\s{2,}/)).to.deep.equal([
        'NAME',
        'MODE',
        'DESIRED',
        'READY REPLICAS',
        'READY',
        'AGE',
      ]);
      const row = rows.find((r) => r.startsWith(`${name} `));
      expect(row, out).to.be.a('string');
      expect(row?.split(/\s+/).slice(0, 3)).to.deep.equal([name, 'standalone', '1']);
      const wide = await kubectl('-n', namespace, 'get', 'kafkaconnects', '-o', 'wide');
      expect(
        wide
          .split('\n')[0]
          ?.trim()
          .split(/\s{2,}/),
      ).to.include('URL');
    });

    it('kubectl get connectors prints the printer columns', async () => {
      const name = randomName('ctr');
      await create('Connector', name, ctr({}));
      const out = await kubectl('-n', namespace, 'get', `connectors.${GROUP}`);
      const [header, ...rows] = out.trimEnd().split('\n');
      expect(header?.trim().split(/\s{2,}/)).to.deep.equal([
        'NAME',
        'CLUSTER',
        'CLASS',
        'STATE',
        'TASKS',
        'READY',
        'AGE',
      ]);
      expect(
        rows
          .find((r) => r.startsWith(`${name} `))
          ?.split(/\s+/)
          .slice(0, 3),
      ).to.deep.equal([name, 'connect', 'FileStreamSource']);
    });

    it('accepts an autoscaling/v2 HPA targeting a KafkaConnect, and the HPA controller reads its scale', async function () {
      this.timeout(120_000);
      const name = randomName('kc');
      await create('KafkaConnect', name, { bootstrapServers });
      const autoscaling = kc8s.makeApiClient(k8s.AutoscalingV2Api);
      const hpa = await autoscaling.createNamespacedHorizontalPodAutoscaler({
        namespace,
        body: {
          metadata: { name },
          spec: {
            scaleTargetRef: { apiVersion: `${GROUP}/${VERSION}`, kind: 'KafkaConnect', name },
            minReplicas: 1,
            maxReplicas: 4,
            metrics: [
              { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
            ],
          },
        },
      });
      expect(hpa.spec?.scaleTargetRef.kind).to.equal('KafkaConnect');
      // The controller-manager's HPA controller resolves the target through the scale subresource.
      // On a fresh control plane its REST mapper learns about new CRDs only on its
      // next reset (every 30 s), so AbleToScale may be False at first.
      let last = 'no AbleToScale condition yet';
      const able = await eventually(
        'the HPA controller to get the KafkaConnect scale',
        async () => {
          const read = await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name });
          const c = read.status?.conditions?.find((x) => x.type === 'AbleToScale');
          if (c) last = `${c.status} ${c.reason}: ${c.message}`;
          return c?.status === 'True' ? c : undefined;
        },
        { timeoutMs: 100_000, intervalMs: 1000 },
      ).catch((err: Error) => Promise.reject(new Error(`${err.message}; last: ${last}`)));
      expect(able.reason).to.equal('SucceededGetScale');
    });
  });
});
