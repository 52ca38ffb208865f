import { expect } from 'chai';
import { planPki } from '../tls/rest-pki-plan.js';
import { serverHosts } from './rest-tls.js';
import { clientMaterialFromSecret, pkiStateFromSecrets, restTlsSecrets } from './rest-tls-secrets.js';
import { testCluster as cluster } from './kafka-connect.test-support.js';

describe('REST TLS Secrets', function () {
  // planPki makes real keys and certificates.
  this.timeout(30_000);

  it('stores a plan in four owned Secrets and reads it back', () => {
    const kc = cluster();
    const plan = planPki(
      {},
      { cluster: 'demo', namespace: 'apps', now: new Date(), serverHosts: serverHosts('demo', 'apps') },
    );
    const secrets = restTlsSecrets(kc, plan);
    expect(secrets.map((s) => s.metadata?.name)).to.deep.equal([
      'demo-connect-rest-ca',
      'demo-connect-rest-server',
      'demo-connect-rest-operator',
      'demo-connect-rest-client',
    ]);
    for (const s of secrets)
      expect(s.metadata?.ownerReferences?.[0]).to.include({ kind: 'KafkaConnect', uid: 'uid-1' });
    const server = secrets[1]!.data!;
    expect(Object.keys(server).sort()).to.deep.equal(['ca.crt', 'keystore.pem', 'tls.crt', 'tls.key']);
    expect(Object.keys(secrets[3]!.data!).sort()).to.deep.equal(['ca.crt', 'tls.crt', 'tls.key']);
    const [ca, srv, operator, user] = secrets;
    const back = pkiStateFromSecrets({ ca, server: srv, operator, user });
    expect(back.ca?.cert).to.equal(plan.state.ca.cert);
    expect(back.ca?.since).to.equal(plan.state.ca.since);
    expect(back.server).to.deep.equal(plan.state.server);
    expect(clientMaterialFromSecret(operator)).to.deep.equal({ ...plan.state.operator, ca: plan.bundle });
  });
});
