import { expect } from 'chai';
import { listenerPlan, parseListener } from '../app/listeners.js';
import { sslKeys, tlsSettings } from './tls-settings.js';

describe('REST TLS settings (Kafka keys)', () => {
  it('uses the listeners.https. keys when any is given, ignoring the unprefixed ones (all or nothing)', () => {
    const raw = {
      'ssl.keystore.location': '/broker/keystore.p12',
      'ssl.truststore.location': '/broker/ca.pem',
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.keystore.location': '/rest/keystore.pem',
    };
    const s = tlsSettings(raw, 'listeners.https.');
    expect(s.prefix).to.equal('listeners.https.');
    expect(s.keystore).to.deep.equal({ kind: 'pem-file', path: '/rest/keystore.pem' });
    expect(s.truststore).to.equal(undefined);
  });

  it('falls back to the unprefixed ssl.* keys', () => {
    const keys = sslKeys({ 'ssl.keystore.type': 'PEM', 'producer.ssl.x': 'y', other: 'z' }, 'listeners.https.');
    expect(keys).to.deep.equal({ keys: { 'ssl.keystore.type': 'PEM' }, prefix: '' });
  });

  it('reads inline PEM (ssl.keystore.certificate.chain / ssl.keystore.key / ssl.truststore.certificates)', () => {
    const s = tlsSettings(
      {
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.certificate.chain': 'CHAIN',
        'ssl.keystore.key': 'KEY',
        'ssl.key.password': 'pw',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.certificates': 'CAS',
        'ssl.client.auth': 'REQUIRED',
        'ssl.enabled.protocols': 'TLSv1.3',
        'ssl.endpoint.identification.algorithm': '',
      },
      'listeners.https.',
    );
    expect(s.keystore).to.deep.equal({ kind: 'pem-inline', chain: 'CHAIN', key: 'KEY' });
    expect(s.passphrase).to.equal('pw');
    expect(s.truststore).to.deep.equal({ kind: 'pem-inline', certificates: 'CAS' });
    expect(s.clientAuth).to.equal('required');
    expect([s.minVersion, s.maxVersion]).to.deep.equal(['TLSv1.3', 'TLSv1.3']);
    expect(s.verifyHostname).to.equal(false);
  });

  it('takes a PKCS12 keystore with its password', () => {
    const s = tlsSettings(
      { 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': '/k.p12', 'ssl.keystore.password': 'pw' },
      'listeners.https.',
    );
    expect(s.keystore).to.deep.equal({ kind: 'pkcs12-file', path: '/k.p12' });
    expect(s.passphrase).to.equal('pw');
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['a JKS keystore', { 'ssl.keystore.location': '/k.jks' }, /ssl\.keystore\.type.*JKS keystores are not supported/],
    [
      'mutual TLS without a truststore',
      { 'listeners.https.ssl.client.auth': 'required' },
      /listeners\.https\.ssl\.client\.auth.*needs a truststore/,
    ],
    [
      'an unknown ssl.client.auth',
      { 'ssl.client.auth': 'maybe', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': 'x' },
      /one of required, requested, none/,
    ],
    ['half of the inline keystore', { 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': 'K' }, /go together/],
    [
      'a file and inline PEM',
      {
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.key': 'K',
        'ssl.keystore.certificate.chain': 'C',
        'ssl.keystore.location': '/f',
      },
      /not both/,
    ],
    ['a PKCS12 truststore', { 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': '/t' }, /use PEM/],
    ['no usable protocol', { 'ssl.enabled.protocols': 'TLSv1.1' }, /TLSv1\.2 or TLSv1\.3/],
  ];
  for (const [what, raw, message] of bad)
    it(`refuses ${what} with an error naming the key`, () => {
      expect(() => tlsSettings(raw, 'listeners.https.')).to.throw(message);
    });
});

describe('REST listeners', () => {
  it('parses http and https listener URLs', () => {
    expect(parseListener('https://:8443')).to.deep.equal({ protocol: 'https', host: '0.0.0.0', port: 8443 });
    expect(parseListener('HTTP://[::1]:8083/')).to.deep.equal({ protocol: 'http', host: '::1', port: 8083 });
    expect(() => parseListener('ftp://:21')).to.throw(/not a listener URL/);
    expect(() => parseListener('http://:99999')).to.throw(/out of range/);
  });

  it('plans main, admin and health listeners as Kafka does (unset admin.listeners: on the main ones)', () => {
    const plan = listenerPlan({ listeners: ['https://:8443', 'http://:8083'], 'health.listeners': ['http://:8084'] });
    expect(plan.main.map((l) => l.protocol)).to.deep.equal(['https', 'http']);
    expect(plan.admin).to.equal(undefined);
    expect(plan.health).to.deep.equal([{ protocol: 'http', host: '0.0.0.0', port: 8084 }]);
    expect(listenerPlan({ listeners: ['http://:8083'], 'admin.listeners': [] }).admin).to.deep.equal([]);
  });

  it('refuses an https health listener and two listeners on one port', () => {
    expect(() => listenerPlan({ listeners: ['http://:8083'], 'health.listeners': ['https://:8084'] })).to.throw(
      /health listener is plain http/,
    );
    expect(() => listenerPlan({ listeners: ['http://:8083', 'https://:8083'] })).to.throw(/two listeners/);
  });
});
