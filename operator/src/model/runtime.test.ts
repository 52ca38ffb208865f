import { expect } from 'chai';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { desired } from './desired.js';
import { RUNTIME_LABEL } from './labels.js';
import { DEFAULT_APACHE_IMAGE } from './runtime.js';
import { workerProperties } from './worker-properties.js';
import { liveRuntime } from '../reconcile/runtime-switch.js';
import { TEST_SETTINGS, testCluster } from './kafka-connect.test-support.js';

const settings = TEST_SETTINGS;
const cluster = testCluster;

const podSpec = (kc: KafkaConnect, s = settings) => {
  const workload = desired(kc, s).objects.find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment') as any;
  return workload.spec.template;
};

describe('spec.runtime: the Sluice and the Apache runtime', () => {
  it('runs the Sluice runtime by default, labelled so, metrics and probes on the health port', () => {
    const t = podSpec(cluster());
    expect(t.metadata.labels[RUNTIME_LABEL]).to.equal('sluice');
    expect(t.spec.containers[0].image).to.equal('sluice/runtime:0.1.0');
    expect(t.spec.containers[0].ports).to.deep.equal([
      { name: 'rest-api', containerPort: 8083, protocol: 'TCP' },
      { name: 'health', containerPort: 8084, protocol: 'TCP' },
    ]);
    expect(t.metadata.annotations['prometheus.io/port']).to.equal('8084');
    expect(t.spec.containers[0].readinessProbe.httpGet).to.deep.equal({ path: '/health', port: 'health' });
    expect(t.spec.initContainers).to.equal(undefined);
  });

  it('runs the Apache image with the same arguments, its metrics port and label', () => {
    const t = podSpec(cluster({ runtime: 'apache' }));
    const c = t.spec.containers[0];
    expect(t.metadata.labels[RUNTIME_LABEL]).to.equal('apache');
    expect(c.image).to.equal(DEFAULT_APACHE_IMAGE);
    expect(c.args).to.deep.equal(['distributed', '/etc/sluice/config/worker.properties']);
    expect(c.ports).to.deep.include({ name: 'tcp-prometheus', containerPort: 9404, protocol: 'TCP' });
    expect(t.metadata.annotations['prometheus.io/port']).to.equal('9404');
    expect(c.ports.map((p: { name: string }) => p.name)).to.not.include('health');
    // Ready once the worker answers /health (its REST port opens well before it can serve).
    expect(c.readinessProbe.httpGet).to.deep.equal({ path: '/health', port: 'rest-api', scheme: 'HTTP' });
    expect(c.startupProbe.tcpSocket).to.deep.equal({ port: 'rest-api' });
    expect(c.livenessProbe.tcpSocket).to.deep.equal({ port: 'rest-api' });
    // With REST TLS (mutual), kubelet cannot call /health: the port check only.
    const withTls = podSpec(cluster({ runtime: 'apache', rest: { tls: { enabled: true } } } as never)).spec
      .containers[0];
    expect(withTls.readinessProbe.tcpSocket).to.deep.equal({ port: 'rest-api' });
    expect(c.securityContext.readOnlyRootFilesystem).to.equal(true);
  });

  it("gives Apache's directory provider an existing allowed path when no Secret is mounted below it", () => {
    // Apache refuses to start ("Path /etc/sluice/secrets does not exist") otherwise.
    const mounts = (kc: KafkaConnect) =>
      podSpec(kc).spec.containers[0].volumeMounts.filter((m: { mountPath: string }) =>
        m.mountPath.startsWith('/etc/sluice/secrets'),
      );
    expect(mounts(cluster({ runtime: 'apache' }))).to.deep.equal([
      { name: 'secrets', mountPath: '/etc/sluice/secrets', readOnly: true },
    ]);
    expect(podSpec(cluster({ runtime: 'apache' })).spec.volumes).to.deep.include({
      name: 'secrets',
      emptyDir: { sizeLimit: '1Mi' },
    });
    expect(mounts(cluster({ runtime: 'apache', connectorSecrets: ['db'] })).map((m: any) => m.mountPath)).to.deep.equal(
      ['/etc/sluice/secrets/db'],
    );
    expect(mounts(cluster())).to.deep.equal([]);
  });

  it('takes the operator setting for the Apache image, and spec.image over either', () => {
    expect(
      podSpec(cluster({ runtime: 'apache' }), { ...settings, apacheImage: 'r/a:1' }).spec.containers[0].image,
    ).to.equal('r/a:1');
    expect(podSpec(cluster({ runtime: 'apache', image: 'mine:2' })).spec.containers[0].image).to.equal('mine:2');
    expect(podSpec(cluster({ image: 'mine:3' })).spec.containers[0].image).to.equal('mine:3');
  });

  it('writes the same worker.properties but for the standalone offsets file and the rebalance delay', () => {
    const sluice = workerProperties(cluster({ mode: 'standalone' }));
    const apache = workerProperties(cluster({ mode: 'standalone', runtime: 'apache' }));
    expect(sluice['offset.storage.file.filename']).to.equal('/var/lib/sluice/offsets.json');
    expect(apache['offset.storage.file.filename']).to.equal('/var/lib/sluice/apache-offsets.dat');
    const { ['offset.storage.file.filename']: _a, ['scheduled.rebalance.max.delay.ms']: _b, ...restA } = apache;
    const { ['offset.storage.file.filename']: _c, ...restS } = sluice;
    // REST TLS is off by default for apache (its Jetty reads Java keystores, not the mounted PEM): only the listener keys differ.
    const noListeners = (p: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(p).filter(([k]) => !k.startsWith('listeners') && k !== 'rest.advertised.listener'),
      );
    expect(noListeners(restA)).to.deep.equal(noListeners(restS));
    expect([restA['listeners'], restS['listeners']]).to.deep.equal(['http://:8083', 'https://:8083']);
    expect(workerProperties(cluster({ runtime: 'apache' }))['scheduled.rebalance.max.delay.ms']).to.equal('0');
    expect(
      workerProperties(cluster({ runtime: 'apache', config: { 'scheduled.rebalance.max.delay.ms': '5000' } }))[
        'scheduled.rebalance.max.delay.ms'
      ],
    ).to.equal('5000');
    expect(workerProperties(cluster())['scheduled.rebalance.max.delay.ms']).to.equal(undefined);
  });

  it('copies plugin images into the plugin path with init containers and sets plugin.path', () => {
    const kc = cluster({ runtime: 'apache', plugins: [{ name: 'debezium-postgres', image: 'plugins/dbz:3.6' }] });
    const t = podSpec(kc);
    expect(t.spec.initContainers).to.have.length(1);
    const init = t.spec.initContainers[0];
    expect(init.image).to.equal('plugins/dbz:3.6');
    expect(init.command).to.deep.equal(['cp', '-R', '/plugins/.', '/mnt/plugins/debezium-postgres']);
    expect(init.securityContext.runAsNonRoot).to.equal(true);
    expect(t.spec.containers[0].volumeMounts).to.deep.include({
      name: 'plugins',
      mountPath: '/opt/kafka/plugins',
      readOnly: true,
    });
    expect(t.spec.volumes).to.deep.include({ name: 'plugins', emptyDir: { sizeLimit: '2Gi' } });
    expect(workerProperties(kc)['plugin.path']).to.equal('/opt/kafka/plugins');
    expect(workerProperties(cluster({ plugins: [{ name: 'x', image: 'y' }] }))['plugin.path']).to.equal(
      '/opt/sluice/plugins',
    );
  });

  it('reads the live workload runtime from its pod template label (none: sluice)', () => {
    const w = (labels?: Record<string, string>) => ({ spec: { template: { metadata: { labels } } } });
    expect(liveRuntime(undefined)).to.equal(undefined);
    expect(liveRuntime(w())).to.equal('sluice');
    expect(liveRuntime(w({ [RUNTIME_LABEL]: 'apache' }))).to.equal('apache');
  });
});
