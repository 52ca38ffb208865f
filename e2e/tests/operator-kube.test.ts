// The operator's Kubernetes plumbing (operator/src/kube) against the real
// apiserver: watch cache, server-side apply, status patches on a custom
// resource, leader election, events and the generic controller.
import { expect } from 'chai';
import net from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { Watcher, type WatchEventType } from '../../operator/src/kube/watcher.js';
import { collectionPath } from '../../operator/src/kube/resource-path.js';
import { Applier, FIELD_MANAGER, isConflict, isNotFound } from '../../operator/src/kube/apply.js';
import { LeaderElector } from '../../operator/src/kube/leader-election.js';
import { EventRecorder } from '../../operator/src/kube/events.js';
import { Controller, ownerKeys, splitKey } from '../../operator/src/kube/controller.js';
import { OperatorMetrics } from '../../operator/src/kube/metrics.js';
import { HealthServer } from '../../operator/src/kube/health-server.js';
import { silentLogger } from '../../operator/src/kube/logger.js';

const configMaps = { version: 'v1', plural: 'configmaps' };

/** A TCP forwarder to the apiserver that can be "restarted" (all connections cut, port closed). */
class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('operator kube plumbing against the apiserver @env', () => {
  const env = withEnv();
  const namespace = randomName('op-kube');
  // A throwaway CRD per run, so concurrent runs never share it.
  const group = `${randomName('t')}.test.sluice.dev`;
  const widgets = { group, version: 'v1', plural: 'widgets' };
  const widgetApiVersion = `${group}/v1`;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let crds: k8s.ApiextensionsV1Api;
  let custom: k8s.CustomObjectsApi;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    kc = new k8s.KubeConfig();
    kc.loadFromFile(env().kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    crds = kc.makeApiClient(k8s.ApiextensionsV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await crds.createCustomResourceDefinition({
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              // The model property is x_kubernetes_preserve_unknown_fields: client-node's
              // serializer silently drops the JSON spelling ("x-kubernetes-...") as unknown.
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
            },
          ],
        },
      },
    });
    await eventually('the Widget CRD to be established', async () => {
      const crd = await crds.readCustomResourceDefinition({ name: `widgets.${group}` });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  after(async () => {
    await crds?.deleteCustomResourceDefinition({ name: `widgets.${group}` }).catch(() => undefined);
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  const createWidget = (name: string, spec: Record<string, unknown> = { size: 1 }) =>
    custom.createNamespacedCustomObject({
      ...widgets,
      namespace,
      body: { apiVersion: widgetApiVersion, kind: 'Widget', metadata: { name }, spec },
    }) as Promise<k8s.KubernetesObject>;

  describe('watcher', () => {
    it('sees ConfigMap add, update and delete and keeps its cache right', async () => {
      const name = randomName('cm');
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: `${name}-pre` }, data: { a: '0' } },
      });
      const watcher = new Watcher<k8s.V1ConfigMap>({ kubeConfig: kc, path: collectionPath(configMaps, namespace) });
      const seen: [WatchEventType, string, string | undefined][] = [];
      watcher.onEvent((type, obj) => seen.push([type, obj.metadata?.name ?? '', obj.data?.a]));
      watcher.start();
      cleanups.push(() => watcher.stop());
      expect(await watcher.waitForSync()).to.equal(true);
      expect(watcher.hasSynced()).to.equal(true);
      expect(watcher.get(namespace, `${name}-pre`)?.data).to.deep.equal({ a: '0' });

      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { a: '1' } } });
      await eventually('add', () => watcher.get(namespace, name)?.data?.a === '1');
      await core.patchNamespacedConfigMap(
        { namespace, name, body: { data: { a: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await eventually('update', () => watcher.get(namespace, name)?.data?.a === '2');
      await core.deleteNamespacedConfigMap({ namespace, name });
      await eventually('delete', () => watcher.get(namespace, name) === undefined);

      expect(seen.filter(([, n]) => n === name)).to.deep.equal([
        ['add', name, '1'],
        ['update', name, '2'],
        ['delete', name, '2'],
      ]);
      const names = watcher.list(namespace).map((c) => c.metadata?.name);
      expect(names).to.include(`${name}-pre`).and.not.include(name);
      expect(watcher.list('some-other-namespace')).to.deep.equal([]);
    });

    it('recovers when the apiserver goes away and comes back, catching up on what it missed', async () => {
      const server = new URL(kc.getCurrentCluster()!.server);
      const proxy = new TcpProxy({ host: server.hostname, port: Number(server.port) });
      await proxy.start();
      cleanups.push(() => proxy.stop());
      const viaProxy = new k8s.KubeConfig();
      viaProxy.loadFromOptions({
        clusters: kc.getClusters().map((c) => ({ ...c, server: `https://127.0.0.1:${proxy.port}` })),
        users: kc.getUsers(),
        contexts: kc.getContexts(),
        currentContext: kc.getCurrentContext(),
      });
      const label = randomName('restart');
      const watcher = new Watcher<k8s.V1ConfigMap>({
        kubeConfig: viaProxy,
        path: collectionPath(configMaps, namespace),
        labelSelector: `test=${label}`,
        initialBackoffMs: 100,
        maxBackoffMs: 500,
      });
      const deletes: string[] = [];
      watcher.onEvent((type, obj) => type === 'delete' && deletes.push(obj.metadata?.name ?? ''));
      const body = (name: string) => ({ metadata: { name, labels: { test: label } } });
      await core.createNamespacedConfigMap({ namespace, body: body('before') });
      watcher.start();
      cleanups.push(() => watcher.stop());
      await watcher.waitForSync();
      expect(watcher.list().map((c) => c.metadata?.name)).to.deep.equal(['before']);

      await proxy.stop(); // "apiserver down": connections cut, port refusing
      await core.deleteNamespacedConfigMap({ namespace, name: 'before' });
      await core.createNamespacedConfigMap({ namespace, body: body('during') });
      await new Promise((r) => setTimeout(r, 1000)); // let it fail and back off a few times
      expect(watcher.get(namespace, 'before')).to.not.equal(undefined, 'nothing can be seen while down');
      await proxy.start(); // same port

      await eventually('the cache to catch up after the restart', () => {
        const names = watcher.list().map((c) => c.metadata?.name);
        return names.length === 1 && names[0] === 'during';
      });
      expect(deletes).to.deep.equal(['before']);
      await core.createNamespacedConfigMap({ namespace, body: body('after') });
      await eventually('new events after the restart', () => watcher.get(namespace, 'after') !== undefined);
    });
    it('catches up after an outage from an old resourceVersion and reports what changed meanwhile', async () => {
      const label = randomName('gone');
      const body = (name: string) => ({ metadata: { name, labels: { test: label } } });
      await core.createNamespacedConfigMap({ namespace, body: body('old') });
      const watcher = new Watcher<k8s.V1ConfigMap>({
        kubeConfig: kc,
        path: collectionPath(configMaps, namespace),
        labelSelector: `test=${label}`,
        initialBackoffMs: 100,
        logger: { ...silentLogger, info: (message) => logged.push(message) },
      });
      const logged: string[] = [];
      const seen: string[] = [];
      watcher.onEvent((type, obj) => seen.push(`${type}:${obj.metadata?.name}`));
      watcher.start();
      cleanups.push(() => watcher.stop());
      await watcher.waitForSync();
      // A long outage: stopped while things change, resuming from an old version
      // (rewound to 1). Where etcd has compacted it the apiserver answers 410 and
      // the watcher relists; on a fresh etcd it replays the history instead.
      // Either way the cache and the events must come out right.
      await watcher.stop();
      await core.deleteNamespacedConfigMap({ namespace, name: 'old' });
      await core.createNamespacedConfigMap({ namespace, body: body('new') });
      (watcher as unknown as { resourceVersion: string }).resourceVersion = '1';
      watcher.start();
      await eventually(
        'the relist',
        () => watcher.get(namespace, 'new') !== undefined && !watcher.get(namespace, 'old'),
      );
      expect(seen).to.include.members(['add:old', 'delete:old', 'add:new']);
      expect(watcher.list(namespace).map((c) => c.metadata?.name)).to.deep.equal(['new']);
    });
  });

  describe('apply', () => {
    it('creates with server-side apply, changes only what changed, and keeps other managers’ fields', async () => {
      const applier = new Applier({ kubeConfig: kc });
      const name = randomName('ssa');
      const desired = (data: Record<string, string>): k8s.V1ConfigMap => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, labels: { app: 'sluice' } },
        data,
      });
      const created = await applier.apply(desired({ a: '1', b: '2' }));
      expect(created.metadata?.resourceVersion).to.be.a('string');
      expect(created.metadata?.managedFields?.map((m) => m.manager)).to.deep.equal([FIELD_MANAGER]);

      // Unchanged apply is a no-op: no new resourceVersion.
      const again = await applier.apply(desired({ a: '1', b: '2' }));
      expect(again.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);

      // Someone else adds a field.
      await core.patchNamespacedConfigMap(
        { namespace, name, body: { data: { other: 'x' } }, fieldManager: 'someone-else' },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      const updated = await applier.apply(desired({ a: '10', b: '2' }));
      expect(updated.data).to.deep.equal({ a: '10', b: '2', other: 'x' });
      const managers = updated.metadata?.managedFields?.map((m) => m.manager).sort();
      expect(managers).to.deep.equal(['someone-else', FIELD_MANAGER].sort());

      // Dropping a field we own removes it; theirs stays.
      const dropped = await applier.apply(desired({ a: '10' }));
      expect(dropped.data).to.deep.equal({ a: '10', other: 'x' });
      expect(dropped.metadata?.labels).to.deep.equal({ app: 'sluice' });
    });

    it('applies custom resources and deletes, treating 404 as done', async () => {
      const applier = new Applier({ kubeConfig: kc });
      const name = randomName('w');
      const applied = await applier.apply({
        apiVersion: widgetApiVersion,
        kind: 'Widget',
        metadata: { name, namespace },
        spec: { size: 3 },
      } as k8s.KubernetesObject);
      expect((applied as any).spec).to.deep.equal({ size: 3 });
      const ref = { apiVersion: widgetApiVersion, kind: 'Widget', namespace, name };
      expect(await applier.delete(ref)).to.equal(true);
      expect(await applier.delete(ref)).to.equal(false);
      await applier.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'never-existed' });
      try {
        await core.readNamespacedConfigMap({ namespace, name: 'never-existed' });
        expect.fail('should be 404');
      } catch (err) {
        expect(isNotFound(err)).to.equal(true);
      }
      try {
        await core.createNamespace({ body: { metadata: { name: namespace } } });
        expect.fail('should be 409');
      } catch (err) {
        expect(isConflict(err)).to.equal(true);
      }
    });

    it('merge-patches status on the status subresource without touching spec', async () => {
      const applier = new Applier({ kubeConfig: kc });
      const name = randomName('w');
      await createWidget(name, { size: 2 });
      await applier.patchStatus(widgets, namespace, name, { phase: 'Running', conditions: [{ type: 'Ready' }] });
      const patched = (await applier.patchStatus(widgets, namespace, name, { observedGeneration: 1 })) as any;
      expect(patched.status).to.deep.equal({
        phase: 'Running',
        conditions: [{ type: 'Ready' }],
        observedGeneration: 1,
      });
      const read = (await custom.getNamespacedCustomObject({ ...widgets, namespace, name })) as any;
      expect(read.spec).to.deep.equal({ size: 2 });
      expect(read.status.phase).to.equal('Running');
      expect(read.metadata.generation).to.equal(1, 'status writes do not bump generation');
    });
  });

  describe('leader election', () => {
    it('elects exactly one of two, and the other takes over at once when the leader stops', async () => {
      const lease = randomName('lease');
      const leading = new Set<string>();
      let overlap = false;
      const make = (id: string) =>
        new LeaderElector({
          kubeConfig: kc,
          namespace,
          name: lease,
          identity: id,
          // A lease far longer than the take-over wait below: the follower can
          // only take over in time if the stopping leader released the lease.
          leaseDurationMs: 120_000,
          renewDeadlineMs: 60_000,
          retryPeriodMs: 500,
          onStartedLeading: () => {
            leading.add(id);
            if (leading.size > 1) overlap = true;
          },
          onStoppedLeading: () => void leading.delete(id),
        });
      const a = make('elector-a');
      const b = make('elector-b');
      a.start();
      b.start();
      cleanups.push(
        () => a.stop(),
        () => b.stop(),
      );
      await eventually('a leader', () => leading.size === 1, { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 2000)); // several renew/retry periods
      expect(leading.size).to.equal(1);
      expect(Number(a.isLeader()) + Number(b.isLeader())).to.equal(1);
      const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
      const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
      const before = await coordination.readNamespacedLease({ namespace, name: lease });
      expect(before.spec?.holderIdentity).to.equal(leader.identity);

      await leader.stop();
      expect(leader.isLeader()).to.equal(false);
      // Without the release the follower would wait for the 120 s lease to expire.
      await eventually('the follower to take over', () => follower.isLeader(), { timeoutMs: 30_000, intervalMs: 50 });
      const after = await coordination.readNamespacedLease({ namespace, name: lease });
      expect(after.spec?.holderIdentity).to.equal(follower.identity);
      expect(after.spec?.leaseTransitions).to.equal((before.spec?.leaseTransitions ?? 0) + 1);
      expect(overlap).to.equal(false);
    });
  });

  describe('events', () => {
    it('records Events and counts repeats of the same reason and message', async () => {
      const recorder = new EventRecorder({ kubeConfig: kc, reportingInstance: 'test' });
      const name = randomName('w');
      const widget = await createWidget(name);
      const first = await recorder.warning(widget, 'ConnectFailed', 'cannot reach the Connect REST API');
      const second = await recorder.warning(widget, 'ConnectFailed', 'cannot reach the Connect REST API');
      await recorder.normal(widget, 'Created', 'created the Deployment');
      expect(first?.metadata?.name).to.be.a('string');
      expect(second?.metadata?.name).to.equal(first?.metadata?.name);

      const list = await core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.name=${name}`,
      });
      const byReason = Object.fromEntries(list.items.map((e) => [e.reason, e]));
      expect(list.items).to.have.length(2);
      expect(byReason.ConnectFailed?.count).to.equal(2);
      expect(byReason.ConnectFailed?.type).to.equal('Warning');
      expect(byReason.ConnectFailed?.reportingComponent).to.equal('sluice.dev/operator');
      expect(byReason.ConnectFailed?.involvedObject.uid).to.equal(widget.metadata?.uid);
      expect(byReason.Created?.count).to.equal(1);
      expect(byReason.Created?.type).to.equal('Normal');
    });
  });

  describe('controller', () => {
    it('reconciles a created object and reacts to changes of an owned object', async () => {
      const label = randomName('ctl');
      const primary = new Watcher({
        kubeConfig: kc,
        path: collectionPath(widgets, namespace),
        labelSelector: `test=${label}`,
      });
      const owned = new Watcher<k8s.V1ConfigMap>({
        kubeConfig: kc,
        path: collectionPath(configMaps, namespace),
        labelSelector: `test=${label}`,
      });
      const applier = new Applier({ kubeConfig: kc });
      const reconciles: string[] = [];
      const metrics = new OperatorMetrics();
      // A toy reconcile: each Widget owns a ConfigMap holding its spec.size.
      const controller = new Controller({
        kind: 'Widget',
        primary,
        secondaries: [{ informer: owned, map: ownerKeys('Widget', widgetApiVersion) }],
        metrics,
        reconcile: async (key) => {
          reconciles.push(key);
          const { namespace: ns, name } = splitKey(key);
          const widget = primary.get(ns, name) as any;
          if (!widget) return;
          await applier.apply({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: `${name}-config`,
              namespace: ns,
              labels: { test: label },
              ownerReferences: [
                { apiVersion: widgetApiVersion, kind: 'Widget', name, uid: widget.metadata.uid, controller: true },
              ],
            },
            data: { size: String(widget.spec.size) },
          });
          await applier.patchStatus(widgets, ns!, name, { observedGeneration: widget.metadata.generation });
        },
      });
      const health = new HealthServer({
        port: 0,
        host: '127.0.0.1',
        registry: metrics.registry,
        synced: () => controller.hasSynced(),
      });
      const port = await health.start();
      cleanups.push(
        () => health.stop(),
        () => primary.stop(),
        () => owned.stop(),
        () => controller.stop(),
      );
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).to.equal(503);
      expect(await controller.start()).to.equal(true);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.equal({ ready: true, synced: true, leader: false });

      const name = randomName('w');
      const key = `${namespace}/${name}`;
      await custom.createNamespacedCustomObject({
        ...widgets,
        namespace,
        body: {
          apiVersion: widgetApiVersion,
          kind: 'Widget',
          metadata: { name, labels: { test: label } },
          spec: { size: 1 },
        },
      });
      const cm = await eventually('the owned ConfigMap', () => owned.get(namespace, `${name}-config`));
      expect(cm.data).to.deep.equal({ size: '1' });
      await eventually('status written', async () => {
        const w = (await custom.getNamespacedCustomObject({ ...widgets, namespace, name })) as any;
        return w.status?.observedGeneration === 1;
      });

      // Someone tampers with the owned object: the event maps to the Widget, which puts it back.
      const before = reconciles.filter((k) => k === key).length;
      await core.patchNamespacedConfigMap(
        { namespace, name: `${name}-config`, body: { data: { size: '99' } }, fieldManager: 'tamperer' },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await eventually('the ConfigMap restored by a reconcile of its owner', () => {
        const restored = owned.get(namespace, `${name}-config`)?.data?.size === '1';
        return restored && reconciles.filter((k) => k === key).length > before;
      });

      const metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metricsText).to.match(/sluice_reconcile_total\{kind="Widget",result="success"\} [1-9]/);
      expect(metricsText).to.include('process_cpu_user_seconds_total');
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).to.equal('ok\n');
    });
  });
});
