import { expect } from 'chai';
import { certInfo, splitCertificates } from './pki.js';
import { planPki, type PkiPolicy, type PkiState } from './rest-pki-plan.js';
import { serverHosts } from '../model/rest-tls.js';

const DAY = 86_400_000;
const policy: PkiPolicy = {
  caValidityMs: 100 * DAY,
  certValidityMs: 30 * DAY,
  renewAtRemainingFraction: 1 / 6,
  trustPropagationMs: 60_000,
};
const t0 = new Date('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const input = (now: Date, renewRequest?: string) => ({
  cluster: 'c',
  namespace: 'ns',
  now,
  serverHosts: serverHosts('c', 'ns'),
  ...(renewRequest !== undefined ? { renewRequest } : {}),
});

describe('REST certificates plan', function () {
  this.timeout(60_000);
  let first: ReturnType<typeof planPki>;
  before(() => {
    first = planPki({}, input(t0), policy);
  });

  it('creates a CA, a server certificate with the cluster names, and two client certificates', () => {
    expect([...first.changed].sort()).to.deep.equal(['ca', 'operator', 'server', 'user']);
    const { ca, server, operator, user } = first.state;
    for (const leaf of [server, operator, user]) expect(certInfo(leaf.cert).signedBy(ca.cert)).to.equal(true);
    expect(certInfo(server.cert).altNames).to.include.members([
      'DNS:c-connect-api.ns.svc',
      'DNS:*.c-connect.ns.svc',
      'DNS:localhost',
      'IP Address:127.0.0.1',
    ]);
    expect(splitCertificates(first.bundle)).to.have.length(1);
    expect(certInfo(server.cert).notAfter.getTime()).to.be.closeTo(t0.getTime() + 30 * DAY, 1000);
  });

  it('changes nothing while everything is valid, and looks again when the first renewal is due', () => {
    const again = planPki(first.state, input(at(DAY)), policy);
    expect([...again.changed]).to.deep.equal([]);
    expect(again.state).to.deep.equal(first.state);
    // certificates: 30 days + 5 minutes backdated, renewed with 1/6 of that left
    expect(again.recheckAfterMs).to.be.closeTo(
      t0.getTime() + 30 * DAY - (30 * DAY + 300_000) / 6 - at(DAY).getTime(),
      2000,
    );
  });

  it('re-issues certificates close to expiry under the same CA', () => {
    const later = planPki(first.state, input(at(26 * DAY)), policy);
    expect([...later.changed].sort()).to.deep.equal(['operator', 'server', 'user']);
    expect(later.state.ca).to.deep.equal(first.state.ca);
    expect(certInfo(later.state.server.cert).signedBy(first.state.ca.cert)).to.equal(true);
  });

  it('re-issues the server certificate when the names change, and repairs a broken pair', () => {
    const broken: PkiState = { ...first.state, user: { cert: first.state.user.cert, key: first.state.operator.key } };
    const plan = planPki(broken, { ...input(at(DAY)), serverHosts: ['other'] }, policy);
    expect([...plan.changed].sort()).to.deep.equal(['server', 'user']);
    expect(certInfo(plan.state.server.cert).altNames).to.deep.equal(['DNS:other']);
  });

  it('rotates the CA on request in three steps: trust the new CA, move certificates to it, drop the old one', () => {
    // 1. the new CA joins the bundle; certificates stay with the old CA
    const s1 = planPki(first.state, input(at(DAY), 'now'), policy);
    expect([...s1.changed]).to.deep.equal(['ca']);
    expect(s1.state.ca.previousCert).to.equal(first.state.ca.cert);
    expect(splitCertificates(s1.bundle)).to.have.length(2);
    expect(s1.state.server).to.deep.equal(first.state.server);
    expect(s1.recheckAfterMs).to.equal(60_000);
    // the same request is not renewed twice
    expect([...planPki(s1.state, input(at(DAY + 1000), 'now'), policy).changed]).to.deep.equal([]);
    // 2. after the propagation time, certificates are re-issued by the new CA; both CAs still trusted
    const s2 = planPki(s1.state, input(at(DAY + 60_000), 'now'), policy);
    expect([...s2.changed].sort()).to.deep.equal(['operator', 'server', 'user']);
    for (const leaf of [s2.state.server, s2.state.operator, s2.state.user])
      expect(certInfo(leaf.cert).signedBy(s1.state.ca.cert)).to.equal(true);
    expect(splitCertificates(s2.bundle)).to.have.length(2);
    // 3. after another propagation time the old CA leaves the bundle
    const s3 = planPki(s2.state, input(at(DAY + 120_000), 'now'), policy);
    expect([...s3.changed]).to.deep.equal(['ca']);
    expect(s3.state.ca.previousCert).to.equal(undefined);
    expect(splitCertificates(s3.bundle)).to.deep.equal([s1.state.ca.cert.trim()]);
  });

  it('renews a CA close to its expiry the same way', () => {
    const plan = planPki(first.state, input(at(90 * DAY)), policy);
    expect(plan.changed.has('ca')).to.equal(true);
    expect(plan.state.ca.previousCert).to.equal(first.state.ca.cert);
  });
});
