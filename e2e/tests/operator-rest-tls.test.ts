// REST security end to end against the real apiserver, broker and a real
// worker process: the operator makes a cluster's CA and certificates, the
// worker serves https with mutual TLS from them (files written from the
// Secret as the kubelet would), the operator drives a Connector over TLS,
// and a CA rotation under load (a source connector streaming, connector
// config changes through the operator) needs no restart and loses nothing.
import { expect } from 'chai';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { installCrds, kubeConfig, rest, sluicePath } from '../src/kube.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir } from '../src/runtime-process.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { startTestOperator } from '../src/test-operator.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { silentLogger } from '../../operator/src/kube/logger.js';
import { DEFAULT_PKI_POLICY } from '../../operator/src/tls/rest-pki-plan.js';
import { createCa, issue } from '../../operator/src/tls/pki.js';

interface Creds {
  ca: string;
  cert?: string;
  key?: string;
}

/** One https request; rejects on a TLS or connection failure. Also returns the server certificate. */
function httpsCall(
  url: string,
  creds: Creds,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: any; serverCert: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ca: creds.ca,
        ...(creds.cert ? { cert: creds.cert, key: creds.key } : {}),
        agent: false,
        headers: data ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate?.();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let parsed: any = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, serverCert: peer?.toString() ?? '' });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('operator: REST API over mutual TLS against a real worker @env', function () {
  this.timeout(240_000);
  const env = withEnv();
  const ns = randomName('rest-tls');
  const cluster = 'secure';
  let core: k8s.CoreV1Api;
  let operator: RunningOperator;
  let worker: RuntimeProcess;
  let dir: string;
  let base: string;
  let healthPort: number;
  let mirroring = true;
  let mirrorLoop: Promise<void> | undefined;

  const api = () => rest(env());
  const secretData = async (name: string): Promise<Record<string, string>> => {
    const s = await core.readNamespacedSecret({ namespace: ns, name });
    return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  };
  /** A person's credentials: the client Secret, as `kubectl get secret` would give them. */
  const userCreds = async (): Promise<Creds> => {
    const d = await secretData(`${cluster}-connect-rest-client`);
    return { ca: d['ca.crt']!, cert: d['tls.crt']!, key: d['tls.key']! };
  };
  /** What the kubelet does for a Secret volume: the files follow the Secret, each replaced atomically. */
  const mirror = async () => {
    const d = await secretData(`${cluster}-connect-rest-server`);
    for (const [file, content] of [
      ['keystore.pem', d['keystore.pem']!],
      ['ca.crt', d['ca.crt']!],
    ] as const) {
      const tmp = path.join(dir, `.${file}.tmp`);
      await writeFile(tmp, content);
      await rename(tmp, path.join(dir, file));
    }
  };
  const patch = (plural: 'kafkaconnects' | 'connectors', name: string, body: Record<string, unknown>) =>
    api().request({
      method: 'PATCH',
      path: sluicePath(plural, ns, name),
      body,
      contentType: 'application/merge-patch+json',
    });

  before(async () => {
    await installCrds(env());
    const kc = kubeConfig(env());
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    dir = await tempDir('rest-tls');
    const port = await freePort();
    healthPort = await freePort();
    base = `https://127.0.0.1:${port}`;
    await api().request({
      method: 'POST',
      path: sluicePath('kafkaconnects', ns),
      body: {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'KafkaConnect',
        metadata: { name: cluster },
        spec: { mode: 'standalone', bootstrapServers: env().kafka.bootstrapServers },
      },
    });
    operator = await startTestOperator(kc, silentLogger, ns, {
      resyncPeriodMs: 3_000,
      // The worker runs here, not in a pod: the operator's own TLS client, aimed at it.
      restUrlFor: () => base,
      restPkiPolicy: { ...DEFAULT_PKI_POLICY, trustPropagationMs: 8_000 },
    });
    await eventually('the server Secret', () => secretData(`${cluster}-connect-rest-server`));
    await mirror();
    mirrorLoop = (async () => {
      while (mirroring) {
        await mirror().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    // The listener keys the operator writes, with this test's paths and ports.
    const cm = await eventually('the worker ConfigMap', () =>
      core.readNamespacedConfigMap({ namespace: ns, name: `${cluster}-connect-config` }),
    );
    const props = Object.fromEntries(
      (cm.data?.['worker.properties'] ?? '')
        .split('\n')
        .filter((l) => l.startsWith('listeners') || l.startsWith('rest.advertised.listener'))
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(props).to.include({ listeners: 'https://:8083', 'listeners.https.ssl.client.auth': 'required' });
    worker = await new RuntimeProcess({
      mode: 'standalone',
      dir,
      port,
      healthUrl: `http://127.0.0.1:${healthPort}/health`,
      workerProps: {
        ...standaloneProps(env().kafka.bootstrapServers, dir, 500),
        ...props,
        listeners: base,
        'listeners.https.ssl.keystore.location': path.join(dir, 'keystore.pem'),
        'listeners.https.ssl.truststore.location': path.join(dir, 'ca.crt'),
        'health.listeners': `http://127.0.0.1:${healthPort}`,
      },
    }).start();
  });
  after(async () => {
    mirroring = false;
    await mirrorLoop;
    await operator?.stop();
    await worker?.kill();
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('keeps the CA and certificates in four Secrets owned by the KafkaConnect', async () => {
    for (const part of ['ca', 'server', 'operator', 'client']) {
      const s = await core.readNamespacedSecret({ namespace: ns, name: `${cluster}-connect-rest-${part}` });
      expect(s.metadata?.ownerReferences?.[0], part).to.include({ kind: 'KafkaConnect', name: cluster });
    }
    const server = new X509Certificate((await secretData(`${cluster}-connect-rest-server`))['tls.crt']!);
    expect(server.subjectAltName).to.include(`DNS:*.${cluster}-connect.${ns}.svc`);
  });

  it('refuses a client without a certificate (401) or from another CA (TLS failure); serves the client Secret; health is plain', async () => {
    const creds = await userCreds();
    const anonymous = await httpsCall(`${base}/connectors`, { ca: creds.ca });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.error_code).to.equal(401);
    const now = new Date();
    const foreignCa = createCa('someone else', now, new Date(now.getTime() + 3_600_000));
    const foreign = issue(foreignCa, {
      commonName: 'intruder',
      usage: 'client',
      notBefore: now,
      notAfter: new Date(now.getTime() + 3_600_000),
    });
    let failure: NodeJS.ErrnoException | undefined;
    await httpsCall(`${base}/connectors`, { ca: creds.ca, ...foreign }).catch((e) => (failure = e));
    expect(failure, 'a certificate from another CA must fail the connection').to.be.instanceOf(Error);
    const ok = await httpsCall(`${base}/connectors`, creds);
    expect(ok.status).to.equal(200);
    const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
    expect(health.status).to.equal(200);
    expect((await fetch(`http://127.0.0.1:${healthPort}/connectors`)).status).to.equal(404);
  });

  it('drives a Connector over TLS, and rotates the CA under load without a restart or a lost record', async () => {
    const file = path.join(dir, 'in.txt');
    const topic = randomName('tls');
    await writeFile(file, '');
    await api().request({
      method: 'POST',
      path: sluicePath('connectors', ns),
      body: {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'Connector',
        metadata: { name: 'files' },
        spec: {
          clusterRef: { name: cluster },
          class: 'FileStreamSource',
          config: { file, topic, 'batch.size': '100' },
        },
      },
    });
    const status = async () => (await httpsCall(`${base}/connectors/files/status`, await userCreds())).body;
    await eventually(
      'the connector RUNNING on the worker',
      async () => (await status())?.connector?.state === 'RUNNING',
    );

    // Load: lines appended all along.
    let written = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const lines = Array.from({ length: 20 }, () => `line-${++written}`).join('\n') + '\n';
        await appendFile(file, lines);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const pid = worker.pid;
    const caSecret = () => secretData(`${cluster}-connect-rest-ca`);
    const oldCa = (await caSecret())['ca.crt']!;
    // A config change through the operator, seen on the worker: the operator's TLS client works.
    let round = 100;
    const changeThroughOperator = async (what: string) => {
      const size = String(++round);
      await patch('connectors', 'files', { spec: { config: { file, topic, 'batch.size': size } } });
      await eventually(`batch.size ${size} on the worker (${what})`, async () => {
        const res = await httpsCall(`${base}/connectors/files/config`, await userCreds());
        return res.body?.['batch.size'] === size;
      });
    };

    await changeThroughOperator('before the rotation');
    await patch('kafkaconnects', cluster, { metadata: { annotations: { 'sluice.dev/renew-certificates': 'test-1' } } });
    const step1 = await eventually('a new CA next to the old one', async () => {
      const d = await caSecret();
      return d['previous-ca.crt'] === oldCa && d['ca.crt'] !== oldCa ? d : undefined;
    });
    const newCa = step1['ca.crt']!;
    await changeThroughOperator('both CAs trusted, certificates still from the old one');
    await eventually(
      'the worker serving a certificate of the new CA',
      async () => {
        const res = await httpsCall(`${base}/connectors`, await userCreds()).catch(() => undefined);
        return res && new X509Certificate(res.serverCert).checkIssued(new X509Certificate(newCa));
      },
      { timeoutMs: 60_000 },
    );
    await changeThroughOperator('certificates from the new CA');
    await eventually('the old CA dropped', async () => (await caSecret())['previous-ca.crt'] === undefined);
    await changeThroughOperator('after the rotation');
    // The old CA's certificates are refused now.
    const user = await userCreds();
    expect(user.ca).to.not.include(oldCa.trim());

    writing = false;
    await writer;
    expect(worker.pid, 'the worker was not restarted').to.equal(pid);
    expect(worker.exitCode).to.equal(undefined);
    const records = await readTopic(testKafka(env().kafka.bootstrapServers), topic, written, 90_000);
    const distinct = new Set(records.map((r) => r.value));
    expect(distinct.size, `${written} lines written`).to.equal(written);
  });
});
