// The KafkaConnect reconciler against the real apiserver and
// controller-manager: objects created and owned, updated on spec change,
// switched with the mode, garbage-collected on delete; status reported.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { rest, sluicePath } from '../src/kube.js';
import { sluiceResources } from '../src/sluice-resources.js';
import { operatorWithoutWorkers } from '../src/test-operator.js';

describe('operator: KafkaConnect reconcile @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  const ns = randomName('kc-test');
  const kube = operatorWithoutWorkers(env, ns);
  const get = (path: string) => rest(env()).request<any>({ method: 'GET', path });
  const exists = async (path: string) =>
    get(path).then(
      () => true,
      (err: any) => (err.code === 404 ? false : Promise.reject(err)),
    );

  const resources = sluiceResources(env, ns);
  const create = (name: string, spec: Record<string, unknown>) => resources.create('KafkaConnect', name, spec);
  const patchSpec = (name: string, spec: Record<string, unknown>) => resources.patchSpec('KafkaConnect', name, spec);

  it('creates the standalone objects, owned by the KafkaConnect, and reports status', async () => {
    await create('solo', {
      mode: 'standalone',
      bootstrapServers: 'kafka:9092',
      config: { 'offset.flush.interval.ms': '1000' },
    });
    const kcObj = await get(sluicePath('kafkaconnects', ns, 'solo'));
    const deploy = await eventually('the Deployment', () =>
      kube.apps.readNamespacedDeployment({ namespace: ns, name: 'solo-connect' }),
    );
    expect(deploy.spec?.replicas).to.equal(1);
    expect(deploy.spec?.strategy?.type).to.equal('Recreate');
    expect(deploy.metadata?.ownerReferences?.[0]).to.include({
      kind: 'KafkaConnect',
      name: 'solo',
      uid: kcObj.metadata.uid,
      controller: true,
    });
    const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
    expect(cm.data?.['worker.properties']).to.include('offset.storage.file.filename=/var/lib/sluice/offsets.json');
    expect(cm.data?.['worker.properties']).to.include('offset.flush.interval.ms=1000');
    await kube.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'solo-connect-data' });
    await kube.core.readNamespacedService({ namespace: ns, name: 'solo-connect-api' });
    await kube.core.readNamespacedServiceAccount({ namespace: ns, name: 'solo-connect' });
    expect(await exists(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/solo-connect`)).to.equal(true);
    // The controller-manager makes a ReplicaSet and a Pod; with no node, the pod stays Pending and the cluster not Ready.
    const status = await eventually('status with observedGeneration', async () => {
      const s = (await get(sluicePath('kafkaconnects', ns, 'solo'))).status;
      return s?.observedGeneration === 1 && s.conditions?.length ? s : undefined;
    });
    expect(status.mode).to.equal('standalone');
    expect(status.labelSelector).to.equal('sluice.dev/cluster=solo,sluice.dev/component=worker');
    expect(status.url).to.equal(`https://solo-connect-api.${ns}.svc:8083`);
    const ready = status.conditions.find((c: any) => c.type === 'Ready');
    expect(ready.status).to.equal('False');
    expect(ready.reason).to.be.oneOf(['Creating', 'WorkersNotReady']);
  });

  it('rolls the pods when worker.properties changes (config hash on the pod template)', async () => {
    const before = await kube.apps.readNamespacedDeployment({ namespace: ns, name: 'solo-connect' });
    const hash = before.spec?.template.metadata?.annotations?.['sluice.dev/config-hash'];
    await patchSpec('solo', { config: { 'offset.flush.interval.ms': '2000' } });
    const after = await eventually('a new config hash', async () => {
      const d = await kube.apps.readNamespacedDeployment({ namespace: ns, name: 'solo-connect' });
      return d.spec?.template.metadata?.annotations?.['sluice.dev/config-hash'] !== hash ? d : undefined;
    });
    expect(after.spec?.template.metadata?.annotations?.['sluice.dev/config-hash']).to.be.a('string');
    const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
    expect(cm.data?.['worker.properties']).to.include('offset.flush.interval.ms=2000');
  });

  it('restores an owned object that someone changed', async () => {
    await kube.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'solo-connect-config', body: { data: { 'worker.properties': 'tampered=1\n' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually('the ConfigMap restored', async () => {
      const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
      return cm.data?.['worker.properties']?.includes('bootstrap.servers=kafka:9092');
    });
  });

  it('switches to distributed: a StatefulSet replaces the Deployment, and the unowned PVC stays', async () => {
    await patchSpec('solo', { mode: 'distributed', replicas: 2 });
    const sts = await eventually('the StatefulSet', () =>
      kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'solo-connect' }).catch(() => undefined),
    );
    expect(sts.spec?.replicas).to.equal(2);
    expect(sts.spec?.serviceName).to.equal('solo-connect');
    await eventually(
      'the Deployment gone',
      async () => !(await exists(`/apis/apps/v1/namespaces/${ns}/deployments/solo-connect`)),
    );
    await kube.core.readNamespacedService({ namespace: ns, name: 'solo-connect' });
    expect(await exists(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/solo-connect`)).to.equal(true);
    expect(await exists(`/api/v1/namespaces/${ns}/persistentvolumeclaims/solo-connect-data`)).to.equal(true);
    const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
    expect(cm.data?.['worker.properties']).to.include(`group.id=${ns}.solo`);
  });

  it('scales the StatefulSet when spec.replicas changes', async () => {
    await patchSpec('solo', { replicas: 3 });
    await eventually(
      '3 replicas',
      async () =>
        (await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'solo-connect' })).spec?.replicas === 3,
    );
  });

  it('does not churn: a resync with nothing changed leaves resourceVersions alone', async () => {
    const before = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'solo-connect' });
    const cmBefore = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
    await new Promise((r) => setTimeout(r, 7_000)); // longer than the test resync period
    const after = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'solo-connect' });
    const cmAfter = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
    expect(after.metadata?.generation).to.equal(before.metadata?.generation);
    expect(cmAfter.metadata?.resourceVersion).to.equal(cmBefore.metadata?.resourceVersion);
  });

  it('has everything garbage-collected when the KafkaConnect is deleted', async () => {
    await rest(env()).request({ method: 'DELETE', path: sluicePath('kafkaconnects', ns, 'solo') });
    await eventually(
      'owned objects collected',
      async () =>
        !(await exists(`/apis/apps/v1/namespaces/${ns}/statefulsets/solo-connect`)) &&
        !(await exists(`/api/v1/namespaces/${ns}/configmaps/solo-connect-config`)) &&
        !(await exists(`/api/v1/namespaces/${ns}/services/solo-connect-api`)),
      { timeoutMs: 90_000 },
    );
    // storage.deleteClaim defaults to false: the offsets survive.
    expect(await exists(`/api/v1/namespaces/${ns}/persistentvolumeclaims/solo-connect-data`)).to.equal(true);
  });
  it('never adopts an object it did not create: leaves it alone and reports a ResourceConflict', async () => {
    // A ConfigMap with the name of the cluster's worker.properties, and a Service with the name of
    // the distributed headless Service (which the standalone mode removes): both someone else's.
    await kube.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'foreign-connect-config' }, data: { mine: 'yes' } },
    });
    await kube.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'foreign-connect' },
        spec: { selector: { app: 'someone-else' }, ports: [{ port: 80, targetPort: 8080 as never }] },
      },
    });
    await create('foreign', { mode: 'standalone', bootstrapServers: 'kafka:9092' });
    const ready = await eventually('a ResourceConflict condition', async () => {
      const s = (await get(sluicePath('kafkaconnects', ns, 'foreign'))).status;
      const c = s?.conditions?.find((x: any) => x.type === 'Ready');
      return c?.reason === 'ResourceConflict' ? c : undefined;
    });
    expect(ready.status).to.equal('False');
    expect(ready.message).to.include('ConfigMap foreign-connect-config already exists');
    const event = await eventually('a ResourceConflict Event', async () => {
      const list = await kube.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=foreign' });
      return list.items.find((e) => e.reason === 'ResourceConflict');
    });
    expect(event.type).to.equal('Warning');
    expect(event.message).to.include('ConfigMap foreign-connect-config');
    // The other children are created; the foreign objects stay as they were, unowned.
    await eventually('the Deployment', () =>
      kube.apps.readNamespacedDeployment({ namespace: ns, name: 'foreign-connect' }),
    );
    const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'foreign-connect-config' });
    expect(cm.data).to.deep.equal({ mine: 'yes' });
    expect(cm.metadata?.ownerReferences ?? []).to.deep.equal([]);
    const svc = await kube.core.readNamespacedService({ namespace: ns, name: 'foreign-connect' });
    expect(svc.spec?.selector).to.deep.equal({ app: 'someone-else' });
    expect(svc.metadata?.ownerReferences ?? []).to.deep.equal([]);
    // Deleting the KafkaConnect takes its own objects and leaves the foreign ones.
    await rest(env()).request({ method: 'DELETE', path: sluicePath('kafkaconnects', ns, 'foreign') });
    await eventually(
      'owned objects collected',
      async () => !(await exists(`/apis/apps/v1/namespaces/${ns}/deployments/foreign-connect`)),
      { timeoutMs: 90_000 },
    );
    expect(
      (await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'foreign-connect-config' })).data,
    ).to.deep.equal({
      mine: 'yes',
    });
    await kube.core.readNamespacedService({ namespace: ns, name: 'foreign-connect' });
  });
});
