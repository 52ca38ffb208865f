// spec.runtime against the real apiserver and controller-manager: an apache
// KafkaConnect gets the Apache image, its metrics port, its label and plugin
// init containers; switching the runtime of a live cluster rolls the
// workload to the other image, says so in status and events, and (standalone)
// tries to carry the source offsets (here no worker answers, so it warns).
import { expect } from 'chai';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { rest, sluicePath } from '../src/kube.js';
import { sluiceResources } from '../src/sluice-resources.js';
import { operatorWithoutWorkers } from '../src/test-operator.js';
import { DEFAULT_APACHE_IMAGE } from '../../operator/src/model/runtime.js';

describe('operator: spec.runtime sluice | apache @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  const ns = randomName('kc-runtime');
  const kube = operatorWithoutWorkers(env, ns);
  const get = (path: string) => rest(env()).request<any>({ method: 'GET', path });

  const resources = sluiceResources(env, ns);
  const create = (name: string, spec: Record<string, unknown>) => resources.create('KafkaConnect', name, spec);
  const patchSpec = (name: string, spec: Record<string, unknown>) => resources.patchSpec('KafkaConnect', name, spec);
  const events = async (name: string, reason: string) =>
    (await kube.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items.filter(
      (e) => e.reason === reason,
    );

  it('runs an apache cluster from the Apache image, with plugin init containers and status.runtime', async () => {
    await create('java', {
      runtime: 'apache',
      bootstrapServers: 'kafka:9092',
      plugins: [{ name: 'debezium-postgres', image: 'plugins/dbz:3.6.1' }],
    });
    const sts = await eventually('the StatefulSet', () =>
      kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'java-connect' }),
    );
    const pod = sts.spec!.template;
    expect(pod.metadata?.labels?.['sluice.dev/runtime']).to.equal('apache');
    expect(pod.spec?.containers[0]?.image).to.equal(DEFAULT_APACHE_IMAGE);
    expect(pod.spec?.containers[0]?.ports?.map((p) => p.name)).to.include('tcp-prometheus');
    expect(pod.spec?.initContainers?.map((c) => c.image)).to.deep.equal(['plugins/dbz:3.6.1']);
    const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'java-connect-config' });
    const props = cm.data?.['worker.properties'] ?? '';
    expect(props).to.match(/^plugin\.path=\/opt\/kafka\/plugins$/m);
    expect(props).to.match(/^scheduled\.rebalance\.max\.delay\.ms=0$/m);
    await eventually('status.runtime apache', async () => {
      const kc = await get(sluicePath('kafkaconnects', ns, 'java'));
      return kc.status?.runtime === 'apache';
    });
  });

  it('switches a distributed cluster to the sluice runtime and back: image, label, status and a RuntimeChanged event', async () => {
    await patchSpec('java', { runtime: 'sluice' });
    await eventually('the StatefulSet on the sluice image', async () => {
      const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'java-connect' });
      const t = sts.spec!.template;
      return (
        t.spec?.containers[0]?.image === 'sluice/runtime:test' &&
        t.metadata?.labels?.['sluice.dev/runtime'] === 'sluice'
      );
    });
    await eventually('status.runtime sluice', async () => {
      const kc = await get(sluicePath('kafkaconnects', ns, 'java'));
      return kc.status?.runtime === 'sluice';
    });
    const changed = await eventually('a RuntimeChanged event', async () => {
      const list = await events('java', 'RuntimeChanged');
      return list.length > 0 ? list : undefined;
    });
    expect(changed[0]!.message).to.contain('from the apache runtime to sluice');
    await patchSpec('java', { runtime: 'apache' });
    await eventually('back on the Apache image', async () => {
      const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'java-connect' });
      return sts.spec!.template.spec?.containers[0]?.image === DEFAULT_APACHE_IMAGE;
    });
  });

  it('switching a standalone cluster whose worker does not answer warns that offsets were not carried', async () => {
    await create('solo', { mode: 'standalone', bootstrapServers: 'kafka:9092' });
    await eventually('the Deployment', () =>
      kube.apps.readNamespacedDeployment({ namespace: ns, name: 'solo-connect' }),
    );
    await patchSpec('solo', { runtime: 'apache' });
    const warned = await eventually('an OffsetsNotCarried warning', async () => {
      const list = await events('solo', 'OffsetsNotCarried');
      return list.length > 0 ? list : undefined;
    });
    expect(warned[0]!.type).to.equal('Warning');
    await eventually('the Deployment on the Apache image, offsets in apache-offsets.dat', async () => {
      const d = await kube.apps.readNamespacedDeployment({ namespace: ns, name: 'solo-connect' });
      const cm = await kube.core.readNamespacedConfigMap({ namespace: ns, name: 'solo-connect-config' });
      return (
        d.spec!.template.spec?.containers[0]?.image === DEFAULT_APACHE_IMAGE &&
        /offset\.storage\.file\.filename=\/var\/lib\/sluice\/apache-offsets\.dat/.test(
          cm.data?.['worker.properties'] ?? '',
        )
      );
    });
  });
});
