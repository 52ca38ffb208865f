import { expect } from 'chai';
import { request } from 'node:https';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRestListeners, workerToWorkerFetch } from '../app/rest-listeners.js';
import { listenerPlan } from '../app/listeners.js';
import { FakeHerder } from './fake-herder.test-support.js';
import { RecordingLogger, startTestServer, type TestServer } from './http.test-support.js';
import { CLIENT_CERT_REQUIRED, type RestServer } from './server.js';
import { loadMaterial } from './tls-material.js';
import { tlsSettings } from './tls-settings.js';
import { testCa, testCert, type TestPair } from './test-pki.test-support.js';
import { eventuallyTrue } from './tls-test-helpers.test-support.js';

/** A GET over https; resolves with the status and body, rejects on a TLS or socket failure. */
export function httpsGet(
  url: string,
  o: { ca: string | string[]; client?: TestPair },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: o.ca, ...(o.client ? { cert: o.client.cert, key: o.client.key } : {}), agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('REST server over TLS', function () {
  this.timeout(20_000);
  let ca: TestPair;
  let server: TestPair;
  let client: TestPair;
  let otherCa: TestPair;
  let stranger: TestPair;
  before(() => {
    ca = testCa('rest-ca');
    server = testCert(ca, 'worker');
    client = testCert(ca, 'operator');
    otherCa = testCa('other-ca');
    stranger = testCert(otherCa, 'stranger');
  });

  const material = (auth: 'required' | 'requested' | 'none') =>
    loadMaterial(
      tlsSettings(
        {
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.certificate.chain': server.cert,
          'ssl.keystore.key': server.key,
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.certificates': ca.cert,
          'ssl.client.auth': auth,
        },
        'listeners.https.',
      ),
    );

  let t: TestServer;
  afterEach(async () => t?.server.stop());

  describe('ssl.client.auth=required', () => {
    beforeEach(async () => {
      t = await startTestServer({ tls: { material: material('required'), clientAuth: 'required' } });
      t.herder.seed('a');
    });

    it('answers a client with a certificate from the trusted CA', async () => {
      expect(t.base).to.match(/^https:/);
      const res = await httpsGet(`${t.base}/connectors`, { ca: ca.cert, client });
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body)).to.deep.equal(['a']);
    });

    it('answers 401 to a client without a certificate, before touching the herder', async () => {
      const res = await httpsGet(`${t.base}/connectors`, { ca: ca.cert });
      expect(res.status).to.equal(401);
      expect(JSON.parse(res.body)).to.deep.equal({ error_code: 401, message: CLIENT_CERT_REQUIRED });
      expect(t.herder.calls.map((c) => c.method)).to.not.include('connectors');
    });

    it('cuts off a client whose certificate comes from another CA (TLS failure)', async () => {
      let failure: Error | undefined;
      try {
        await httpsGet(`${t.base}/connectors`, { ca: ca.cert, client: stranger });
      } catch (err) {
        failure = err as Error;
      }
      expect(failure, 'the request must fail').to.be.instanceOf(Error);
      expect(t.herder.calls.map((c) => c.method)).to.not.include('connectors');
    });

    it('fails for a client that does not trust the server CA', async () => {
      let failure: Error | undefined;
      try {
        await httpsGet(`${t.base}/connectors`, { ca: otherCa.cert, client });
      } catch (err) {
        failure = err as Error;
      }
      expect((failure as NodeJS.ErrnoException | undefined)?.code).to.match(/UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
    });

    it('serves new connections with renewed material (another CA) without a restart', async () => {
      const ca2 = testCa('rest-ca-2');
      const server2 = testCert(ca2, 'worker');
      t.server.setTlsMaterial({ key: server2.key, cert: server2.cert, ca: [ca.cert, ca2.cert] });
      const res = await httpsGet(`${t.base}/connectors`, { ca: ca2.cert, client: testCert(ca2, 'op2') });
      expect(res.status).to.equal(200);
      // the old CA's clients are still trusted during the overlap
      expect((await httpsGet(`${t.base}/connectors`, { ca: ca2.cert, client })).status).to.equal(200);
    });
  });

  it('ssl.client.auth=requested: a client without a certificate is served, a foreign one is not', async () => {
    t = await startTestServer({ tls: { material: material('requested'), clientAuth: 'requested' } });
    expect((await httpsGet(`${t.base}/connectors`, { ca: ca.cert })).status).to.equal(200);
    let failed = false;
    await httpsGet(`${t.base}/connectors`, { ca: ca.cert, client: stranger }).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });

  it('ssl.client.auth=none: no certificate is asked for', async () => {
    t = await startTestServer({ tls: { material: material('none'), clientAuth: 'none' } });
    expect((await httpsGet(`${t.base}/connectors`, { ca: ca.cert })).status).to.equal(200);
  });

  describe('listeners, admin.listeners and health.listeners', () => {
    let dir: string;
    let rest: RestServer | undefined;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'rest-tls-'));
    });
    afterEach(async () => {
      await rest?.stop();
      rest = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    const start = async (raw: Record<string, string>, values: Record<string, unknown>) => {
      const herder = new FakeHerder();
      rest = createRestListeners({
        plan: listenerPlan(values),
        raw,
        herder,
        logger: new RecordingLogger(),
        metrics: async () => ({ contentType: 'text/plain', body: 'up 1\n' }),
        reloadIntervalMs: 50,
      });
      await rest.start();
      return herder;
    };

    it('serves the API over https from PEM files, /health and /metrics on a plain port, and reloads renewed files', async () => {
      const keystore = path.join(dir, 'keystore.pem');
      const truststore = path.join(dir, 'ca.crt');
      await writeFile(keystore, server.key + server.cert);
      await writeFile(truststore, ca.cert);
      const raw = {
        'listeners.https.ssl.keystore.type': 'PEM',
        'listeners.https.ssl.keystore.location': keystore,
        'listeners.https.ssl.truststore.type': 'PEM',
        'listeners.https.ssl.truststore.location': truststore,
        'listeners.https.ssl.client.auth': 'required',
      };
      const [mainPort, healthPort] = await freePorts(2);
      await start(raw, {
        listeners: [`https://127.0.0.1:${mainPort}`],
        'health.listeners': [`http://127.0.0.1:${healthPort}`],
      });
      const main = `https://127.0.0.1:${mainPort}`;
      expect((await httpsGet(`${main}/connectors`, { ca: ca.cert, client })).status).to.equal(200);
      expect((await httpsGet(`${main}/connectors`, { ca: ca.cert })).status).to.equal(401);
      const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
      expect(health.status).to.equal(200);
      expect(await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text()).to.equal('up 1\n');
      expect((await fetch(`http://127.0.0.1:${healthPort}/connectors`)).status).to.equal(404);

      // Renewal: a new CA and server certificate written in place (as a Secret volume update).
      const ca2 = testCa('renewed-ca');
      const server2 = testCert(ca2, 'worker');
      await writeFile(truststore, ca.cert + ca2.cert);
      await writeFile(keystore, server2.key + server2.cert);
      await eventuallyTrue('the renewed server certificate', async () => {
        const res = await httpsGet(`${main}/connectors`, { ca: ca2.cert, client }).catch(() => undefined);
        return res?.status === 200;
      });
    });

    it('keeps the previous material when a renewal is broken', async () => {
      const keystore = path.join(dir, 'keystore.pem');
      await writeFile(keystore, server.key + server.cert);
      const [port] = await freePorts(1);
      await start(
        { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': keystore },
        { listeners: [`https://127.0.0.1:${port}`] },
      );
      await writeFile(keystore, 'not a pem');
      await new Promise((r) => setTimeout(r, 200));
      expect((await httpsGet(`https://127.0.0.1:${port}/connectors`, { ca: ca.cert })).status).to.equal(200);
    });

    it('moves /admin to admin.listeners and answers 404 for it on the main listener', async () => {
      const [mainPort, adminPort] = await freePorts(2);
      await start(
        {},
        { listeners: [`http://127.0.0.1:${mainPort}`], 'admin.listeners': [`http://127.0.0.1:${adminPort}`] },
      );
      expect((await fetch(`http://127.0.0.1:${mainPort}/admin/loggers`)).status).to.equal(404);
      expect((await fetch(`http://127.0.0.1:${adminPort}/admin/loggers`)).status).to.equal(200);
      expect((await fetch(`http://127.0.0.1:${adminPort}/connectors`)).status).to.equal(404);
      expect((await fetch(`http://127.0.0.1:${mainPort}/connectors`)).status).to.equal(200);
    });

    it('calls another worker over https with its own certificate (worker to worker)', async () => {
      const t2 = await startTestServer({ tls: { material: material('required'), clientAuth: 'required' } });
      try {
        t2.herder.seed('c');
        const raw = {
          'listeners.https.ssl.keystore.type': 'PEM',
          'listeners.https.ssl.keystore.certificate.chain': client.cert,
          'listeners.https.ssl.keystore.key': client.key,
          'listeners.https.ssl.truststore.type': 'PEM',
          'listeners.https.ssl.truststore.certificates': ca.cert,
        };
        expect(workerToWorkerFetch(raw, 'http')).to.equal(undefined);
        const peer = workerToWorkerFetch(raw, 'https')!;
        const res = await peer(`${t2.base.replace('localhost', '127.0.0.1')}/connectors`, { method: 'GET' });
        expect(res.status).to.equal(200);
        expect(await res.json()).to.deep.equal(['c']);
        // A worker whose keystore is incomplete does not start (rather than calling others without a certificate).
        expect(() => workerToWorkerFetch({ ...raw, 'listeners.https.ssl.keystore.key': '' }, 'https')).to.throw(
          /go together/,
        );
      } finally {
        await t2.server.stop();
      }
    });

    it('refuses an https listener without a keystore, naming the key', () => {
      expect(() =>
        createRestListeners({
          plan: listenerPlan({ listeners: ['https://127.0.0.1:0'] }),
          raw: {},
          herder: new FakeHerder(),
          logger: new RecordingLogger(),
        }),
      ).to.throw(/listeners\.https\.ssl\.keystore\.location|ssl\.keystore\.location/);
    });
  });
});

async function freePorts(n: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
