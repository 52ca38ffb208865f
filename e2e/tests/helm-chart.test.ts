// The Helm chart in helm/sluice: lint, values schema, what it renders (a
// hardened Deployment, least-privilege RBAC), a server-side dry run of the
// output, and a real install whose ServiceAccount is all the operator needs:
// the operator process runs locally with that account's token and reconciles
// KafkaConnects and Connectors without a single "forbidden".
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, withEnv, type TestEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { CHART_DIR, helm, helmFailure, render, template, valuesFile, type Manifest } from '../src/helm.js';
import { kubeConfig, kubectl, rest, sluicePath } from '../src/kube.js';
import { randomName } from '../src/names.js';

/**
 * Everything the operator does, per API group/resource (see the comments in
 * helm/sluice/templates/_helpers.tpl for why each is needed). The chart must
 * grant exactly this in every watched namespace.
 */
const OPERATOR_RULES: Record<string, string[]> = {
  'sluice.dev/kafkaconnects': ['list', 'watch'],
  'sluice.dev/kafkaconnects/status': ['patch'],
  'sluice.dev/kafkaconnects/finalizers': ['update'],
  'sluice.dev/connectors': ['get', 'list', 'patch', 'watch'],
  'sluice.dev/connectors/status': ['patch'],
  'apps/deployments': ['create', 'delete', 'get', 'list', 'patch', 'watch'],
  'apps/statefulsets': ['create', 'delete', 'get', 'list', 'patch', 'watch'],
  'core/configmaps': ['create', 'get', 'list', 'patch', 'watch'],
  'core/services': ['create', 'delete', 'get', 'patch'],
  'core/serviceaccounts': ['create', 'get', 'patch'],
  'core/persistentvolumeclaims': ['create', 'get', 'patch'],
  'core/events': ['create', 'patch'],
  'core/secrets': ['create', 'get', 'patch'],
  'policy/poddisruptionbudgets': ['create', 'delete', 'get', 'patch'],
  'networking.k8s.io/networkpolicies': ['create', 'get', 'patch'],
};

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** group/resource -> sorted verbs ("core" for the "" group); rules with resourceNames keyed with them. */
function grants(rules: Rule[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const r of rules)
    for (const g of r.apiGroups ?? [])
      for (const res of r.resources ?? []) {
        const key = `${g || 'core'}/${res}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}`;
        for (const v of r.verbs) (out[key] ??= new Set()).add(v);
      }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** What `helm install` creates: the chart without its hooks (the uninstall hook: helm-uninstall-hook.test.ts). */
const renderInstalled = async (...args: Parameters<typeof render>) =>
  (await render(...args)).filter((o) => !o.metadata.annotations?.['helm.sh/hook']);
const byKind = (objs: Manifest[], kind: string) => objs.filter((o) => o.kind === kind);
const one = (objs: Manifest[], kind: string) => {
  const found = byKind(objs, kind);
  expect(found, kind).to.have.length(1);
  return found[0]!;
};
const containerEnv = (deploy: Manifest): Record<string, string | undefined> =>
  Object.fromEntries(
    (deploy.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
  );

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A kubeconfig that authenticates with a token of the ServiceAccount, and nothing else. */
async function serviceAccountKubeconfig(env: TestEnv, namespace: string, sa: string): Promise<string> {
  const token = (await kubectl(env, 'create', 'token', sa, '-n', namespace, '--duration', '1h')).trim();
  const cluster = kubeConfig(env).getCurrentCluster()!;
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-sa-'));
  const file = path.join(dir, 'kubeconfig');
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'env', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } }],
      users: [{ name: sa, user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'env', user: sa, namespace } }],
      'current-context': 'sa',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** dist/operator/src/cli.js as a child process, its output kept for assertions. */
class OperatorProcess {
  log = '';
  private child: ChildProcess | undefined;
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts it and waits until the endpoint answers 200 (/readyz: caches synced, which needs leadership). */
  async start(endpoint: '/readyz' | '/healthz' = '/readyz'): Promise<void> {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/operator/src/cli.js')], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    await eventually('the operator to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`operator exited ${child.exitCode}:\n${this.log}`);
      const res = await fetch(`http://127.0.0.1:${this.env.SLUICE_HEALTH_PORT}${endpoint}`).catch(() => undefined);
      return res?.status === 200;
    });
  }

  /** SIGTERM, as the kubelet would; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill('SIGTERM');
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * Log lines where RBAC refused a request ("... is forbidden: User ... cannot
   * <verb> resource ..."). Other 403s (e.g. a namespace being terminated, which
   * a cluster-wide operator may meet in another test's leftovers) are not ours.
   */
  refusals(): string[] {
    return this.log.split('\n').filter((l) => /forbidden/i.test(l) && /cannot \w+ resource/.test(l));
  }
}

describe('helm chart helm/sluice @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  const namespaces: string[] = [];
  const newNamespace = async (prefix: string) => {
    const ns = randomName(prefix);
    await kubectl(env(), 'create', 'namespace', ns);
    namespaces.push(ns);
    return ns;
  };
  /** Releases to uninstall after a failed test (cluster-scoped RBAC outlives the namespace). */
  const releases: [string, string][] = [];
  after(async () => {
    for (const [release, ns] of releases) await helm(env(), 'uninstall', release, '-n', ns).catch(() => undefined);
    for (const ns of namespaces) {
      // A Connector left with its finalizer (a test failed midway, no operator now) would hold the namespace.
      const left = await kubectl(env(), 'get', 'connectors', '-n', ns, '-o', 'name').catch(() => '');
      for (const c of left.split('\n').filter(Boolean))
        await kubectl(env(), 'patch', c, '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}').catch(
          () => undefined,
        );
    }
    for (const ns of namespaces) await kubectl(env(), 'delete', 'namespace', ns, '--wait=false').catch(() => undefined);
  });

  describe('rendering', () => {
    it('passes helm lint --strict with the default values and with watchNamespaces and replicas set', async () => {
      const out = await helm(env(), 'lint', '--strict', CHART_DIR);
      expect(out).to.include('1 chart(s) linted, 0 chart(s) failed');
      const variant = await valuesFile({ watchNamespaces: ['a', 'b'], replicas: 2 });
      expect(await helm(env(), 'lint', '--strict', CHART_DIR, '-f', variant)).to.include('0 chart(s) failed');
    });

    it('rejects replicas: "two" and misspelt keys through values.schema.json, naming the value', async () => {
      const replicas = await helmFailure(env(), 'template', 'x', CHART_DIR, '--set-string', 'replicas=two');
      expect(replicas)
        .to.include("values don't meet the specifications of the schema")
        .and.to.include("at '/replicas': got string, want integer");
      const typo = await helmFailure(env(), 'template', 'x', CHART_DIR, '--set', 'replica=2');
      expect(typo).to.include("additional properties 'replica' not allowed");
      const ns = await helmFailure(env(), 'template', 'x', CHART_DIR, '--set', 'watchNamespaces={Bad_Name}');
      expect(ns).to.include("at '/watchNamespaces/0': 'Bad_Name' does not match pattern");
      const policy = await helmFailure(env(), 'template', 'x', CHART_DIR, '--set', 'image.pullPolicy=Sometimes');
      expect(policy).to.include("at '/image/pullPolicy'");
      // A ServiceMonitor without the Service it scrapes is refused by the template itself.
      const monitor = await helmFailure(
        env(),
        'template',
        'x',
        CHART_DIR,
        '--set',
        'metrics.serviceMonitor.enabled=true,metrics.service.enabled=false',
      );
      expect(monitor).to.include('metrics.serviceMonitor.enabled needs metrics.service.enabled');
    });

    it('renders a hardened operator Deployment wired to the values', async () => {
      const objs = await renderInstalled(env(), { release: 'ops', namespace: 'sluice-system' });
      const deploy = one(objs, 'Deployment');
      const pod = deploy.spec.template.spec;
      const container = pod.containers[0];
      expect(deploy.metadata).to.include({ name: 'ops-sluice-operator', namespace: 'sluice-system' });
      expect(deploy.spec.replicas).to.equal(1);
      expect(deploy.spec.strategy).to.deep.equal({ type: 'Recreate' }, 'no overlap without leader election');
      expect(container.image).to.equal('sluice/operator:0.1.0');
      expect(container.imagePullPolicy).to.equal('IfNotPresent');
      expect(pod.serviceAccountName).to.equal('ops-sluice-operator');
      expect(pod.automountServiceAccountToken).to.equal(true);
      expect(pod.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.securityContext).to.deep.equal({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.livenessProbe.httpGet).to.deep.equal({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).to.deep.equal({ path: '/readyz', port: 'http' });
      expect(container.ports).to.deep.equal([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(container.resources.requests).to.have.keys('cpu', 'memory');
      expect(container.resources.limits).to.have.key('memory');
      expect(container.volumeMounts).to.deep.equal([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(containerEnv(deploy)).to.deep.include({
        SLUICE_WATCH_NAMESPACES: '',
        SLUICE_RUNTIME_IMAGE: 'sluice/runtime:0.1.0',
        SLUICE_OPERATOR_NAMESPACE: 'sluice-system',
        SLUICE_OPERATOR_POD_LABELS: 'app.kubernetes.io/instance=ops,app.kubernetes.io/name=sluice-operator',
        SLUICE_LEADER_ELECTION: 'false',
        SLUICE_HEALTH_PORT: '8080',
        LOG_LEVEL: 'info',
      });
      // The NetworkPolicies the operator writes admit pods with SLUICE_OPERATOR_POD_LABELS: they must be its own.
      expect(deploy.spec.template.metadata.labels).to.include({
        'app.kubernetes.io/instance': 'ops',
        'app.kubernetes.io/name': 'sluice-operator',
      });
      const sa = one(objs, 'ServiceAccount');
      expect(sa.metadata).to.include({ name: 'ops-sluice-operator', namespace: 'sluice-system' });
      const svc = one(objs, 'Service');
      expect(svc.spec.ports).to.deep.equal([{ name: 'metrics', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
      expect(svc.spec.selector).to.deep.equal(deploy.spec.selector.matchLabels);
      expect(byKind(objs, 'ServiceMonitor')).to.deep.equal([], 'ServiceMonitor is off by default');

      const custom = await renderInstalled(env(), {
        release: 'ops',
        values: {
          image: { repository: 'registry.example/sluice-operator', tag: '9.9.9', pullPolicy: 'Always' },
          runtimeImage: { tag: '1.2.3' },
          logLevel: 'debug',
          healthPort: 9090,
          metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } },
        },
      });
      const d2 = one(custom, 'Deployment');
      expect(d2.spec.template.spec.containers[0]).to.include({
        image: 'registry.example/sluice-operator:9.9.9',
        imagePullPolicy: 'Always',
      });
      expect(containerEnv(d2)).to.include({
        SLUICE_RUNTIME_IMAGE: 'sluice/runtime:1.2.3',
        LOG_LEVEL: 'debug',
        SLUICE_HEALTH_PORT: '9090',
      });
      const monitor = one(custom, 'ServiceMonitor');
      expect(monitor.metadata.labels).to.include({ release: 'prom' });
      expect(monitor.spec.endpoints).to.deep.equal([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    });

    it('watching all namespaces: one ClusterRole with exactly the operator rules, bound to its ServiceAccount', async () => {
      const objs = await renderInstalled(env(), { release: 'ops', namespace: 'sluice-system' });
      const role = one(objs, 'ClusterRole');
      expect(grants(role.rules)).to.deep.equal(OPERATOR_RULES);
      const binding = one(objs, 'ClusterRoleBinding');
      expect(binding.roleRef).to.deep.equal({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: role.metadata.name,
      });
      expect(binding.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: 'ops-sluice-operator', namespace: 'sluice-system' },
      ]);
      expect(byKind(objs, 'Role')).to.deep.equal([], 'no leader election: no Lease role');
      expect(byKind(objs, 'RoleBinding')).to.deep.equal([]);
      assertNoBroadGrants(objs);
    });

    it('watchNamespaces: a Role + RoleBinding with the operator rules in each; cluster-wide only the Connector cleanup', async () => {
      const objs = await renderInstalled(env(), {
        release: 'ops',
        namespace: 'sluice-system',
        values: { watchNamespaces: ['team-a', 'team-b'] },
      });
      // Deleting a watched namespace removes its Role before its Connectors: releasing their
      // finalizers then needs these rights, and only these, on Sluice's own kinds.
      const cleanup = one(objs, 'ClusterRole');
      expect(cleanup.metadata.name).to.equal('ops-sluice-operator-connector-cleanup');
      expect(grants(cleanup.rules)).to.deep.equal({
        'sluice.dev/kafkaconnects': ['list', 'watch'],
        'sluice.dev/connectors': ['list', 'patch', 'watch'],
      });
      expect(one(objs, 'ClusterRoleBinding').roleRef.name).to.equal(cleanup.metadata.name);
      expect(one(objs, 'ClusterRoleBinding').subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: 'ops-sluice-operator', namespace: 'sluice-system' },
      ]);
      const roles = byKind(objs, 'Role');
      expect(roles.map((r) => r.metadata.namespace)).to.deep.equal(['team-a', 'team-b']);
      for (const r of roles) expect(grants(r.rules), r.metadata.namespace).to.deep.equal(OPERATOR_RULES);
      const bindings = byKind(objs, 'RoleBinding');
      expect(bindings.map((b) => [b.metadata.namespace, b.roleRef.kind, b.subjects[0].namespace])).to.deep.equal([
        ['team-a', 'Role', 'sluice-system'],
        ['team-b', 'Role', 'sluice-system'],
      ]);
      expect(containerEnv(one(objs, 'Deployment')).SLUICE_WATCH_NAMESPACES).to.equal('team-a,team-b');
      assertNoBroadGrants(objs);
    });

    it('replicas 2: leader election on, rolling updates, and a Role for its Lease only in the release namespace', async () => {
      const objs = await renderInstalled(env(), {
        release: 'ops',
        namespace: 'sluice-system',
        values: { replicas: 2 },
      });
      const deploy = one(objs, 'Deployment');
      expect(deploy.spec.replicas).to.equal(2);
      expect(deploy.spec.strategy).to.equal(undefined);
      // A standby reports ready on /readyz (it is ready to take over), so rolling updates proceed.
      expect(deploy.spec.template.spec.containers[0].readinessProbe.httpGet).to.deep.equal({
        path: '/readyz',
        port: 'http',
      });
      expect(containerEnv(deploy).SLUICE_LEADER_ELECTION).to.equal('true');
      const role = one(objs, 'Role');
      expect(role.metadata.namespace).to.equal('sluice-system');
      // One Lease per release, named after it, and the Role reaches only that one.
      const lease = containerEnv(deploy).SLUICE_LEADER_ELECTION_LEASE;
      expect(lease).to.equal(role.metadata.name.replace(/-election$/, ''));
      expect(grants(role.rules)).to.deep.equal({
        'coordination.k8s.io/leases': ['create'],
        [`coordination.k8s.io/leases[${lease}]`]: ['get', 'update'],
      });
      const binding = one(objs, 'RoleBinding');
      expect(binding.roleRef.name).to.equal(role.metadata.name);
      assertNoBroadGrants(objs);
      // A drain takes the operator pods one at a time.
      const pdb = one(objs, 'PodDisruptionBudget');
      expect(pdb.metadata.namespace).to.equal('sluice-system');
      expect(pdb.spec.maxUnavailable).to.equal(1);
      expect(pdb.spec.selector.matchLabels).to.deep.equal(deploy.spec.selector.matchLabels);
      // leaderElection.enabled turns it on with one replica too.
      const single = await renderInstalled(env(), { values: { leaderElection: { enabled: true } } });
      // One replica: no budget (it would block every drain or protect nothing).
      expect(byKind(single, 'PodDisruptionBudget')).to.have.length(0);
      expect(containerEnv(one(single, 'Deployment')).SLUICE_LEADER_ELECTION).to.equal('true');
      expect(byKind(single, 'Role')).to.have.length(1);
    });

    it('is accepted by the apiserver in a server-side dry run: default, watchNamespaces and replicas 2', async () => {
      const release = await newNamespace('helm-dry');
      const watched = [await newNamespace('helm-dry-a'), await newNamespace('helm-dry-b')];
      for (const values of [{}, { watchNamespaces: watched }, { replicas: 2 }]) {
        const yaml = await template(env(), { release: 'dry', namespace: release, values });
        const out = await kubectlStdin(env(), yaml, 'apply', '--dry-run=server', '-f', '-');
        const lines = out.trim().split('\n');
        expect(lines.length, JSON.stringify(values)).to.equal(parseCount(yaml));
        for (const l of lines) expect(l, JSON.stringify(values)).to.match(/ (created|configured) \(server dry run\)$/);
      }
    });
  });

  describe("installed, with the operator running as the chart's ServiceAccount", () => {
    let operator: OperatorProcess | undefined;
    afterEach(async function () {
      const code = await operator?.stop();
      if (operator && this.currentTest?.state === 'failed') console.error(operator.log.slice(-20_000));
      expect(code ?? 0, 'operator exit code after SIGTERM').to.equal(0);
      operator = undefined;
    });

    /** Runs the operator with the installed Deployment's settings and a token of its ServiceAccount. */
    const runOperator = async (namespace: string, release: string) => {
      const deploy = JSON.parse(
        await kubectl(env(), 'get', 'deployment', `${release}-sluice-operator`, '-n', namespace, '-o', 'json'),
      ) as Manifest;
      const settings = containerEnv(deploy);
      const sa = deploy.spec.template.spec.serviceAccountName as string;
      // With a node, the chart's own operator pods run too (end-to-end.test.ts
      // covers them): stop them, so that the process below is the only operator
      // and a refusal in its log is the chart's RBAC speaking.
      await kubectl(env(), 'scale', 'deployment', `${release}-sluice-operator`, '-n', namespace, '--replicas=0');
      await eventually(
        'the chart operator pods gone',
        async () => {
          const pods = await kubectl(
            env(),
            'get',
            'pods',
            '-n',
            namespace,
            '-l',
            `app.kubernetes.io/instance=${release}`,
            '-o',
            'name',
          );
          return pods.trim() === '';
        },
        { timeoutMs: 60_000 },
      );
      operator = new OperatorProcess({
        ...process.env,
        ...settings,
        KUBECONFIG: await serviceAccountKubeconfig(env(), namespace, sa),
        POD_NAME: `${release}-sluice-operator-test`,
        POD_NAMESPACE: namespace,
        SLUICE_HEALTH_PORT: String(await freePort()),
        LOG_LEVEL: 'debug',
      });
      await operator.start();
      return { settings, operator };
    };

    it('watching all namespaces: reconciles KafkaConnects and Connectors with no forbidden errors; uninstall removes it', async () => {
      const ns = await newNamespace('helm-op');
      const work = await newNamespace('helm-work');
      const release = randomName('rel');
      const name = `${release}-sluice-operator`;
      releases.push([release, ns]);
      const out = await helm(env(), 'install', release, CHART_DIR, '-n', ns, '--set', 'replicas=2');
      expect(out).to.include('STATUS: deployed').and.include('It watches all namespaces');
      expect(await kubectl(env(), 'get', 'deployment,serviceaccount,service,role,rolebinding', '-n', ns, '-o', 'name'))
        .to.include(`deployment.apps/${name}`)
        .and.include(`serviceaccount/${name}`)
        .and.include(`service/${name}-metrics`)
        .and.include(`role.rbac.authorization.k8s.io/${name}-leader-election`)
        .and.include(`rolebinding.rbac.authorization.k8s.io/${name}-leader-election`);
      expect(await kubectl(env(), 'get', `clusterrole/${name}`, `clusterrolebinding/${name}`, '-o', 'name')).to.include(
        name,
      );

      const { settings, operator: op } = await runOperator(ns, release);
      expect(settings.SLUICE_LEADER_ELECTION).to.equal('true');
      await eventually('the operator to hold the Lease in the release namespace', async () => {
        const lease = JSON.parse(await kubectl(env(), 'get', 'lease', `${name}-leader`, '-n', ns, '-o', 'json'));
        return String(lease.spec.holderIdentity).startsWith(`${name}-test_`);
      });

      await exerciseOperator(env(), work);
      // Release is done on SIGTERM (a lease update); then the log must be clean.
      expect(await op.stop()).to.equal(0);
      const lease = JSON.parse(await kubectl(env(), 'get', 'lease', `${name}-leader`, '-n', ns, '-o', 'json'));
      expect(lease.spec.holderIdentity ?? '').to.equal('', 'lease released on shutdown');
      expect(op.refusals(), 'forbidden in the operator log').to.deep.equal([]);
      expect(op.log).to.include('controllers started');

      await helm(env(), 'uninstall', release, '-n', ns, '--wait');
      expect(
        await kubectl(env(), 'get', 'deployment,serviceaccount,service,role,rolebinding', '-n', ns, '-o', 'name'),
      ).to.not.include(name);
      const left = await kubectl(env(), 'get', 'clusterrole,clusterrolebinding', '-o', 'name');
      expect(left).to.not.include(name);
    });

    it('watchNamespaces [X]: reconciles in X with a Role there, leaves Y alone; uninstall removes it', async () => {
      const ns = await newNamespace('helm-op');
      const watched = await newNamespace('helm-x');
      const other = await newNamespace('helm-y');
      const release = randomName('rel');
      const name = `${release}-sluice-operator`;
      const values = await valuesFile({ watchNamespaces: [watched] });
      releases.push([release, ns]);
      const out = await helm(env(), 'install', release, CHART_DIR, '-n', ns, '-f', values);
      expect(out).to.include(`It watches namespaces ${watched}`);
      expect(await kubectl(env(), 'get', 'role,rolebinding', '-n', watched, '-o', 'name'))
        .to.include(`role.rbac.authorization.k8s.io/${name}`)
        .and.include(`rolebinding.rbac.authorization.k8s.io/${name}`);
      const ownClusterRoles = async () =>
        (await kubectl(env(), 'get', 'clusterrole,clusterrolebinding', '-o', 'name'))
          .split('\n')
          .filter((line) => line.includes(name));
      expect(await ownClusterRoles(), 'cluster-wide only the Connector cleanup').to.deep.equal([
        `clusterrole.rbac.authorization.k8s.io/${name}-connector-cleanup`,
        `clusterrolebinding.rbac.authorization.k8s.io/${name}-connector-cleanup`,
      ]);

      const { settings, operator: op } = await runOperator(ns, release);
      expect(settings.SLUICE_WATCH_NAMESPACES).to.equal(watched);
      expect(settings.SLUICE_LEADER_ELECTION).to.equal('false');

      await createKafkaConnect(env(), other, 'ignored', { mode: 'standalone', bootstrapServers: 'kafka:9092' });
      await exerciseOperator(env(), watched);
      const ignored = await rest(env()).request<any>({
        method: 'GET',
        path: sluicePath('kafkaconnects', other, 'ignored'),
      });
      expect(ignored.status, 'a KafkaConnect outside watchNamespaces is not reconciled').to.equal(undefined);
      expect(await kubectl(env(), 'get', 'deployments', '-n', other, '-o', 'name')).to.equal('');

      expect(await op.stop()).to.equal(0);
      expect(op.refusals(), 'forbidden in the operator log').to.deep.equal([]);

      await helm(env(), 'uninstall', release, '-n', ns, '--wait');
      expect(await kubectl(env(), 'get', 'role,rolebinding', '-n', watched, '-o', 'name')).to.not.include(name);
      expect(await kubectl(env(), 'get', 'deployment,serviceaccount', '-n', ns, '-o', 'name')).to.not.include(name);
      expect(await ownClusterRoles()).to.deep.equal([]);
    });

    it("a token without the chart's RBAC is refused, and the log check sees it", async () => {
      // The control for the two tests above: their "no forbidden" would be vacuous if refusals never reached the log.
      const ns = await newNamespace('helm-norbac');
      await kubectl(env(), 'create', 'serviceaccount', 'bare', '-n', ns);
      operator = new OperatorProcess({
        ...process.env,
        KUBECONFIG: await serviceAccountKubeconfig(env(), ns, 'bare'),
        SLUICE_OPERATOR_NAMESPACE: ns,
        SLUICE_WATCH_NAMESPACES: ns,
        SLUICE_LEADER_ELECTION: 'true',
        SLUICE_HEALTH_PORT: String(await freePort()),
      });
      const op = operator;
      await op.start('/healthz'); // never leader, so never /readyz
      await eventually('a forbidden in the log', () => op.refusals().length > 0);
      expect(op.refusals()[0]).to.match(/leases.*forbidden/);
    });
  });
});

/**
 * No wildcard anywhere, no Pods, no non-resource URLs, no RBAC or CRD rights;
 * Secrets only by name (get, create, patch: the REST certificates), never
 * list or watch, so the operator cannot enumerate or stream other Secrets.
 */
function assertNoBroadGrants(objs: Manifest[]): void {
  const rules = objs.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((o) => o.rules as Rule[]);
  expect(rules).to.have.length.above(0);
  for (const r of rules) {
    for (const list of [r.apiGroups, r.resources, r.verbs]) expect(list ?? [], JSON.stringify(r)).to.not.include('*');
    expect(r.nonResourceURLs, JSON.stringify(r)).to.equal(undefined);
    expect(r.resources ?? []).to.not.include.members(['pods']);
    if ((r.resources ?? []).includes('secrets')) {
      expect(r.resources, JSON.stringify(r)).to.deep.equal(['secrets']);
      expect([...r.verbs].sort(), JSON.stringify(r)).to.deep.equal(['create', 'get', 'patch']);
    }
    expect(r.apiGroups ?? []).to.not.include.members(['rbac.authorization.k8s.io', 'apiextensions.k8s.io']);
    expect(r.verbs).to.not.include.members(['escalate', 'bind', 'impersonate', 'deletecollection']);
  }
}

/** Number of objects in a multi-document YAML text. */
function parseCount(yaml: string): number {
  return yaml.split(/^---$/m).filter((d) => /^kind: /m.test(d)).length;
}

async function kubectlStdin(env: TestEnv, input: string, ...args: string[]): Promise<string> {
  const child = spawn(path.join(env.kubernetes.bin, 'kubectl'), ['--kubeconfig', env.kubeconfig, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

const createKafkaConnect = (env: TestEnv, ns: string, name: string, spec: Record<string, unknown>) =>
  rest(env).request({
    method: 'POST',
    path: sluicePath('kafkaconnects', ns),
    body: { apiVersion: 'sluice.dev/v1alpha1', kind: 'KafkaConnect', metadata: { name }, spec },
  });

/**
 * Drives every kind of request the operator makes in namespace `ns`:
 * standalone and distributed children created, status written, a Connector's
 * finalizer added and removed, a mode switch (deletes + an Event).
 * No pods run in this environment, so the clusters stay not ready.
 */
async function exerciseOperator(env: TestEnv, ns: string): Promise<void> {
  const api = rest(env);
  const get = (p: string) => api.request<any>({ method: 'GET', path: p });
  const names = async (kind: string) => (await kubectl(env, 'get', kind, '-n', ns, '-o', 'name')).split('\n');

  await createKafkaConnect(env, ns, 'solo', {
    mode: 'standalone',
    bootstrapServers: 'kafka:9092',
    storage: { size: '1Gi', deleteClaim: true },
  });
  await api.request({
    method: 'POST',
    path: sluicePath('connectors', ns),
    body: {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'Connector',
      metadata: { name: 'gen' },
      spec: { clusterRef: { name: 'solo' }, class: 'DataGen', config: { topic: 'orders' } },
    },
  });
  const kc = await eventually(
    'the standalone KafkaConnect to get a status',
    async () => {
      const k = await get(sluicePath('kafkaconnects', ns, 'solo'));
      return k.status?.conditions?.length ? k : undefined;
    },
    { timeoutMs: 30_000 },
  );
  const ready = kc.status.conditions.find((c: any) => c.type === 'Ready');
  expect(ready.status).to.equal('False');
  expect(ready.reason).to.not.equal('ApplyFailed', ready.message);
  expect(kc.status.observedGeneration).to.equal(1);
  await eventually('the standalone children', async () => {
    const all = [
      ...(await names('deployment')),
      ...(await names('configmap')),
      ...(await names('service')),
      ...(await names('serviceaccount')),
      ...(await names('persistentvolumeclaim')),
      ...(await names('networkpolicy')),
    ];
    return [
      'deployment.apps/solo-connect',
      'configmap/solo-connect-config',
      'service/solo-connect-api',
      'serviceaccount/solo-connect',
      'persistentvolumeclaim/solo-connect-data',
      'networkpolicy.networking.k8s.io/solo-connect',
    ].every((n) => all.includes(n));
  });
  const conn = await eventually('the Connector to get its finalizer and a status', async () => {
    const c = await get(sluicePath('connectors', ns, 'gen'));
    return c.metadata.finalizers?.includes('sluice.dev/connector-cleanup') && c.status?.conditions?.length
      ? c
      : undefined;
  });
  expect(conn.status.conditions[0]).to.include({ type: 'Ready', status: 'False', reason: 'ClusterNotReady' });

  // Distributed, then switched to standalone: StatefulSet, headless Service and PDB deleted.
  await createKafkaConnect(env, ns, 'dist', { mode: 'distributed', replicas: 2, bootstrapServers: 'kafka:9092' });
  await eventually('the distributed children', async () => {
    const all = [...(await names('statefulset')), ...(await names('service')), ...(await names('pdb'))];
    return ['statefulset.apps/dist-connect', 'service/dist-connect', 'poddisruptionbudget.policy/dist-connect'].every(
      (n) => all.includes(n),
    );
  });
  await api.request({
    method: 'PATCH',
    path: sluicePath('kafkaconnects', ns, 'dist'),
    body: { spec: { mode: 'standalone', replicas: 1 } },
    contentType: 'application/merge-patch+json',
  });
  await eventually('the mode switch', async () => {
    const all = [
      ...(await names('statefulset')),
      ...(await names('service')),
      ...(await names('pdb')),
      ...(await names('deployment')),
    ];
    return (
      all.includes('deployment.apps/dist-connect') &&
      !all.includes('statefulset.apps/dist-connect') &&
      !all.includes('service/dist-connect') &&
      !all.includes('poddisruptionbudget.policy/dist-connect')
    );
  });
  await eventually('the ModeChanged Event', async () =>
    (await kubectl(env, 'get', 'events', '-n', ns, '--field-selector', 'reason=ModeChanged', '-o', 'name')).trim(),
  );

  // A refused apply does not reach the log: it becomes an ApplyFailed condition and a Warning Event.
  expect(
    await kubectl(env, 'get', 'events', '-n', ns, '--field-selector', 'reason=ApplyFailed', '-o', 'name'),
  ).to.equal('');
  const dist = await get(sluicePath('kafkaconnects', ns, 'dist'));
  expect(dist.status.conditions.find((c: any) => c.type === 'Ready').reason).to.not.equal('ApplyFailed');

  // The cluster goes first; the Connector's finalizer is then removed without a REST call.
  await api.request({ method: 'DELETE', path: sluicePath('kafkaconnects', ns, 'solo') });
  await api.request({ method: 'DELETE', path: sluicePath('connectors', ns, 'gen') });
  await eventually('the Connector to be released by its finalizer and gone', async () =>
    get(sluicePath('connectors', ns, 'gen')).then(
      () => false,
      (err: any) => err.code === 404,
    ),
  );
}
