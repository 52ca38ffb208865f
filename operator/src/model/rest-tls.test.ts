import { expect } from 'chai';
import { desired } from './desired.js';
import { workerProperties } from './worker-properties.js';
import { TEST_SETTINGS, testCluster } from './kafka-connect.test-support.js';

const settings = TEST_SETTINGS;
const cluster = testCluster;

describe('REST TLS in the desired objects', () => {
  it('writes Kafka listener keys for https with mutual TLS and a plain health port, by default', () => {
    expect(workerProperties(cluster())).to.include({
      listeners: 'https://:8083',
      'rest.advertised.listener': 'https',
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.keystore.location': '/etc/sluice/rest-tls/keystore.pem',
      'listeners.https.ssl.truststore.type': 'PEM',
      'listeners.https.ssl.truststore.location': '/etc/sluice/rest-tls/ca.crt',
      'listeners.https.ssl.client.auth': 'required',
      'health.listeners': 'http://:8084',
    });
  });

  it('mounts the server Secret, probes and scrapes the health port', () => {
    const { objects } = desired(cluster({ mode: 'distributed' }), settings);
    const sts = objects.find((o) => o.kind === 'StatefulSet') as any;
    const pod = sts.spec.template;
    const c = pod.spec.containers[0];
    expect(pod.spec.volumes).to.deep.include({
      name: 'rest-tls',
      secret: { secretName: 'demo-connect-rest-server', defaultMode: 0o400 },
    });
    expect(c.volumeMounts).to.deep.include({ name: 'rest-tls', mountPath: '/etc/sluice/rest-tls', readOnly: true });
    expect(c.ports).to.deep.include({ name: 'health', containerPort: 8084, protocol: 'TCP' });
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe])
      expect(probe.httpGet).to.deep.equal({ path: '/health', port: 'health' });
    expect(pod.metadata.annotations['prometheus.io/port']).to.equal('8084');
  });

  it('is off by default for the Apache runtime, on when asked', () => {
    expect(workerProperties(cluster({ runtime: 'apache' } as never)).listeners).to.equal('http://:8083');
    expect(
      workerProperties(cluster({ runtime: 'apache', rest: { tls: { enabled: true } } } as never)).listeners,
    ).to.equal('https://:8083');
  });

  it('spec.rest.tls.enabled=false: plain http, no Secret mounted, health port kept', () => {
    const kc = cluster({ rest: { tls: { enabled: false } } });
    const props = workerProperties(kc);
    expect(props.listeners).to.equal('http://:8083');
    expect(Object.keys(props).filter((k) => k.startsWith('listeners.https.'))).to.deep.equal([]);
    expect(props['health.listeners']).to.equal('http://:8084');
    const deploy = desired({ ...kc, spec: { ...kc.spec, mode: 'standalone' } }, settings).objects.find(
      (o) => o.kind === 'Deployment',
    ) as any;
    expect(deploy.spec.template.spec.volumes.map((v: any) => v.name)).to.not.include('rest-tls');
  });
});
