import { expect } from 'chai';
import { API_VERSION, type KafkaConnect } from '../api/v1alpha1/index.js';
import { referencedSecrets, workerProperties } from './worker-properties.js';

const cluster = (spec: Partial<KafkaConnect['spec']> = {}): KafkaConnect => ({
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps' },
  spec: { bootstrapServers: 'kafka:9092', ...spec },
});

describe('worker.properties security defaults', () => {
  it('lets no connector override its Kafka clients by default (client override policy None)', () => {
    expect(workerProperties(cluster())['connector.client.config.override.policy']).to.equal('None');
  });

  it('lets spec.config choose another client override policy', () => {
    const props = workerProperties(cluster({ config: { 'connector.client.config.override.policy': 'Principal' } }));
    expect(props['connector.client.config.override.policy']).to.equal('Principal');
  });

  it('restricts the directory provider to the mounted Secrets and the environment provider to one variable', () => {
    const props = workerProperties(cluster());
    expect(props['config.providers']).to.equal('dir,env');
    expect(props['config.providers.dir.class']).to.equal(
      'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
    );
    expect(props['config.providers.dir.param.allowed.paths']).to.equal('/etc/sluice/secrets');
    expect(props['config.providers.env.param.allowlist.pattern']).to.equal('^SLUICE_ADVERTISED_HOST$');
  });

  it('mounts the Secrets connectors may use beside the cluster own ones', () => {
    const kc = cluster({
      connectorSecrets: ['db', 'api'],
      authentication: { type: 'plain', username: 'u', passwordSecret: { secretName: 'kafka-user', password: 'p' } },
    });
    expect(referencedSecrets(kc)).to.deep.equal(['api', 'db', 'kafka-user']);
  });
});
