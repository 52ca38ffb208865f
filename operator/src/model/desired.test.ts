import { expect } from 'chai';
import { desired } from './desired.js';
import { CONFIG_HASH_ANNOTATION } from './labels.js';
import { workerProperties } from './worker-properties.js';
import { TEST_SETTINGS, testCluster } from './kafka-connect.test-support.js';

const settings = TEST_SETTINGS;
const cluster = testCluster;

const find = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

describe('desired objects of a KafkaConnect', () => {
  it('builds a one-replica Recreate Deployment with a ReadWriteOnce PVC in standalone mode', () => {
    const { objects, obsoleteKinds } = desired(cluster({ mode: 'standalone', storage: { size: '5Gi' } }), settings);
    const [deploy] = find(objects, 'Deployment');
    expect(deploy.spec.replicas).to.equal(1);
    expect(deploy.spec.strategy).to.deep.equal({ type: 'Recreate' });
    expect(deploy.spec.template.spec.containers[0].args).to.deep.equal([
      'standalone',
      '/etc/sluice/config/worker.properties',
    ]);
    const [pvc] = find(objects, 'PersistentVolumeClaim');
    expect(pvc.spec.accessModes).to.deep.equal(['ReadWriteOnce']);
    expect(pvc.spec.resources.requests.storage).to.equal('5Gi');
    expect(find(objects, 'StatefulSet')).to.have.length(0);
    expect(obsoleteKinds.map((k) => k.kind)).to.include('StatefulSet');
  });

  it('builds a parallel StatefulSet behind a headless Service, with a PDB, in distributed mode', () => {
    const { objects, obsoleteKinds } = desired(cluster({ mode: 'distributed', replicas: 3 }), settings);
    const [sts] = find(objects, 'StatefulSet');
    expect(sts.spec.replicas).to.equal(3);
    expect(sts.spec.podManagementPolicy).to.equal('Parallel');
    expect(sts.spec.serviceName).to.equal('demo-connect');
    const headless = find(objects, 'Service').find((s) => s.spec.clusterIP === 'None');
    expect(headless.metadata.name).to.equal('demo-connect');
    expect(find(objects, 'PodDisruptionBudget')).to.have.length(1);
    expect(find(objects, 'PersistentVolumeClaim')).to.have.length(0);
    expect(obsoleteKinds).to.deep.equal([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo-connect' }]);
  });

  it('builds the StatefulSet at the size it is given while departing workers drain, and at spec.replicas otherwise', () => {
    const kc = cluster({ mode: 'distributed', replicas: 1 });
    const [draining] = find(desired(kc, settings, { workerReplicas: 3 }).objects, 'StatefulSet');
    expect(draining.spec.replicas).to.equal(3);
    const [settled] = find(desired(kc, settings).objects, 'StatefulSet');
    expect(settled.spec.replicas).to.equal(1);
    const [deploy] = find(
      desired(cluster({ mode: 'standalone' }), settings, { workerReplicas: 3 }).objects,
      'Deployment',
    );
    expect(deploy.spec.replicas).to.equal(1);
  });

  it('derives group id and storage topics from the namespace and name unless given', () => {
    const kc = cluster({ mode: 'distributed' });
    const ns = kc.metadata.namespace;
    const props = workerProperties(kc);
    expect(props).to.include({
      'group.id': `${ns}.demo`,
      'config.storage.topic': `${ns}.demo-configs`,
      'offset.storage.topic': `${ns}.demo-offsets`,
      'status.storage.topic': `${ns}.demo-status`,
    });
    // The same name in another namespace gets its own group and topics.
    const other = workerProperties({ ...kc, metadata: { ...kc.metadata, namespace: 'elsewhere' } });
    expect(other['group.id']).to.equal('elsewhere.demo');
    expect(other['config.storage.topic']).to.equal('elsewhere.demo-configs');
    expect(props['rest.advertised.host.name']).to.equal('${env:SLUICE_ADVERTISED_HOST}');
    expect(workerProperties(cluster({ mode: 'distributed', groupId: 'g', offsetStorageTopic: 'o' }))).to.include({
      'group.id': 'g',
      'offset.storage.topic': 'o',
    });
    const standalone = workerProperties(cluster({ mode: 'standalone' }));
    expect(standalone['offset.storage.file.filename']).to.equal('/var/lib/sluice/offsets.json');
    expect(standalone).to.not.have.property('group.id');
  });

  it('runs workers non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', () => {
    for (const mode of ['standalone', 'distributed'] as const) {
      const { objects } = desired(cluster({ mode }), settings);
      const workload = objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as any;
      const pod = workload.spec.template.spec;
      expect(pod.securityContext).to.include({ runAsNonRoot: true });
      expect(pod.securityContext.seccompProfile).to.deep.equal({ type: 'RuntimeDefault' });
      expect(pod.containers[0].securityContext).to.deep.equal({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.containers[0].readinessProbe.httpGet.path).to.equal('/health');
      expect(pod.automountServiceAccountToken).to.equal(false);
    }
  });

  it('keeps credentials out of the ConfigMap: they are mounted from Secrets and referenced by placeholder', () => {
    const kc = cluster({
      tls: { trustedCertificates: [{ secretName: 'kafka-ca', certificate: 'ca.crt' }] },
      authentication: {
        type: 'scram-sha-512',
        username: 'connect',
        passwordSecret: { secretName: 'connect-user', password: 'password' },
      },
    });
    const { objects } = desired(kc, settings);
    const [cm] = find(objects, 'ConfigMap');
    const text: string = cm.data['worker.properties'];
    expect(text).to.include('security.protocol=SASL_SSL');
    expect(text).to.include('sasl.mechanism=SCRAM-SHA-512');
    expect(text).to.include('password="${dir:/etc/sluice/secrets/connect-user:password}"');
    const [sts] = find(objects, 'StatefulSet');
    const volumes = sts.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
    // the cluster's own REST certificate Secret (made by the operator) besides the referenced ones
    expect(volumes).to.deep.equal(['connect-user', 'kafka-ca', 'demo-connect-rest-server']);
  });

  it('puts a config hash on the pod template that changes with worker.properties only', () => {
    const a = desired(cluster({ config: { 'offset.flush.interval.ms': '1000' } }), settings);
    const b = desired(cluster({ config: { 'offset.flush.interval.ms': '2000' } }), settings);
    const c = desired(
      cluster({ config: { 'offset.flush.interval.ms': '1000' }, template: { labels: { team: 'x' } } }),
      settings,
    );
    const hash = (d: typeof a) =>
      (d.objects.find((o) => o.kind === 'StatefulSet') as any).spec.template.metadata.annotations[
        CONFIG_HASH_ANNOTATION
      ];
    expect(hash(a)).to.not.equal(hash(b));
    expect(hash(a)).to.equal(hash(c));
  });

  it('is deterministic and sets a controller owner reference on every object', () => {
    const kc = cluster({ mode: 'standalone', storage: { deleteClaim: true } });
    expect(desired(kc, settings)).to.deep.equal(desired(kc, settings));
    for (const o of desired(kc, settings).objects) {
      expect(o.metadata?.ownerReferences?.[0], o.kind).to.deep.include({
        kind: 'KafkaConnect',
        name: 'demo',
        uid: 'uid-1',
        controller: true,
      });
    }
  });

  it('leaves the standalone PVC unowned unless deleteClaim is set, so offsets survive deletion', () => {
    const keep = find(desired(cluster({ mode: 'standalone' }), settings).objects, 'PersistentVolumeClaim')[0];
    expect(keep.metadata.ownerReferences).to.deep.equal([]);
  });

  it('lets only the workers and the operator reach the REST port', () => {
    const [np] = find(desired(cluster(), settings).objects, 'NetworkPolicy');
    expect(np.spec.ingress[0].ports).to.deep.equal([{ port: 8083, protocol: 'TCP' }]);
    expect(np.spec.ingress[0].from[1].podSelector.matchLabels).to.deep.equal({ app: 'sluice-operator' });
  });

  it('leaves the metrics port open to scrapers (sluice: the health port, apache: the exporter)', () => {
    const [np] = find(desired(cluster(), settings).objects, 'NetworkPolicy');
    expect(np.spec.ingress[1]).to.deep.equal({ ports: [{ port: 8084, protocol: 'TCP' }] });
    const [apache] = find(desired(cluster({ runtime: 'apache' }), settings).objects, 'NetworkPolicy');
    expect(apache.spec.ingress[1]).to.deep.equal({ ports: [{ port: 9404, protocol: 'TCP' }] });
  });
});
