// The foundation's proof that the control plane is real: the apiserver stores
// objects, RBAC is on, and the controller-manager acts on what we create.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';

describe('test environment: Kubernetes control plane @env', () => {
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const namespace = randomName('env-test');
  const env = withEnv();

  before(async () => {
    kc = new k8s.KubeConfig();
    kc.loadFromFile(env().kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  after(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('stores a ConfigMap and reads it back', async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'worker-config' }, data: { 'worker.properties': 'bootstrap.servers=kafka:9092\n' } },
    });
    const read = await core.readNamespacedConfigMap({ namespace, name: 'worker-config' });
    expect(read.data?.['worker.properties']).to.equal('bootstrap.servers=kafka:9092\n');
  });

  it('enforces RBAC: a fresh ServiceAccount may not list secrets', async () => {
    const review = await kc.makeApiClient(k8s.AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${namespace}:default`,
          resourceAttributes: { namespace, verb: 'list', resource: 'secrets' },
        },
      },
    });
    expect(review.status?.allowed).to.equal(false);
  });

  it('turns a Deployment into a ReplicaSet and Pods (controller-manager is running)', async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'sluice/none:0' }] },
          },
        },
      },
    });
    const rs = await eventually('a ReplicaSet owned by the Deployment', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace });
      return list.items.find((r) =>
        r.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === 'web'),
      );
    });
    expect(rs.spec?.replicas).to.equal(2);
    const pods = await eventually('two Pods from the ReplicaSet', async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      return list.items.length === 2 ? list.items : undefined;
    });
    for (const pod of pods) {
      expect(pod.metadata?.ownerReferences?.[0]?.name).to.equal(rs.metadata?.name);
    }
  });
});
