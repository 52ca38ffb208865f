import { expect } from 'chai';
import { API_VERSION, type KafkaConnect } from '../api/v1alpha1/index.js';
import { sealConnectorSecrets } from './connector-secrets.js';

const kc = (connectorSecrets?: string[]): KafkaConnect => ({
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps' },
  spec: { bootstrapServers: 'kafka:9092', ...(connectorSecrets ? { connectorSecrets } : {}) },
});

describe('Secrets in a Connector config', () => {
  it('turns ${secret:<name>:<key>} into the directory provider placeholder of the mounted Secret', () => {
    const r = sealConnectorSecrets(
      { 'connection.password': '${secret:db:password}', url: 'jdbc:x://h/d?u=${secret:db:user}&p=${secret:api:token}' },
      kc(['db', 'api']),
    );
    expect(r).to.deep.equal({
      ok: true,
      config: {
        'connection.password': '${dir:/etc/sluice/secrets/db:password}',
        url: 'jdbc:x://h/d?u=${dir:/etc/sluice/secrets/db:user}&p=${dir:/etc/sluice/secrets/api:token}',
      },
      secrets: ['api', 'db'],
    });
  });

  it('refuses a Secret the KafkaConnect does not list, naming the key and the Secret', () => {
    const r = sealConnectorSecrets({ a: 'x', 'connection.password': '${secret:other:password}' }, kc(['db']));
    expect(r.ok).to.equal(false);
    expect(r.ok ? '' : r.message).to.equal(
      'connection.password: Secret other is not in spec.connectorSecrets of KafkaConnect demo',
    );
    expect(sealConnectorSecrets({ p: '${secret:db:password}' }, kc()).ok).to.equal(false);
  });

  it("refuses raw placeholders of the worker's providers outside the listed Secrets", () => {
    for (const value of [
      '${dir:/etc/sluice/secrets/kafka-user:password}',
      '${file:/etc/passwd:root}',
      '${env:HOME}',
      '${secret:password}',
    ]) {
      const r = sealConnectorSecrets({ k: value }, kc(['db']));
      expect(r.ok, value).to.equal(false);
    }
    // The directory form of a listed Secret is accepted as written.
    const ok = sealConnectorSecrets({ k: '${dir:/etc/sluice/secrets/db:password}' }, kc(['db']));
    expect(ok).to.deep.equal({ ok: true, config: { k: '${dir:/etc/sluice/secrets/db:password}' }, secrets: ['db'] });
  });

  it('leaves configs without placeholders, and placeholders of other syntaxes, alone', () => {
    const config = { topic: 'orders', 'http.body': 'id=${id}', 'x.y': '${custom:a:b}' };
    expect(sealConnectorSecrets(config, kc())).to.deep.equal({ ok: true, config, secrets: [] });
  });
});
