// The HTTP sink task against a real local HTTP(S) server that fails on demand.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HttpTarget, type HttpTargetOptions } from '../../../../e2e/src/http-target.js';
import { RecordRejectedError, type SinkRecord } from '../../sdk/index.js';
import { sinkContext, tempDir } from '../connector-context.test-support.js';
import { HttpSinkConnector } from './http-sink-connector.js';
import { DLQ_BODY_HEADER, DLQ_STATUS_HEADER, HttpSinkTask } from './http-sink-task.js';

const rec = (offset: number, value: unknown = { n: offset }, partition = 0): SinkRecord => ({
  topic: 't',
  kafkaPartition: partition,
  kafkaOffset: offset,
  value,
});

describe('HttpSinkConnector', () => {
  it('documents every key and reports bad values at validation', () => {
    const keys = new HttpSinkConnector().config().keys();
    expect(keys.length).to.be.greaterThan(15);
    for (const k of keys) expect(k.documentation, k.name).to.have.length.greaterThan(10);
    const errorsOf = (props: Record<string, string>) =>
      Object.fromEntries(
        new HttpSinkConnector()
          .validate(props)
          .filter((v) => v.errors.length)
          .map((v) => [v.name, v.errors.join()]),
      );
    expect(errorsOf({})).to.have.keys('http.api.url');
    expect(errorsOf({ 'http.api.url': 'ftp://x' })['http.api.url']).to.match(/http:\/\/ or https:\/\//);
    expect(errorsOf({ 'http.api.url': 'http://x', 'request.method': 'GET' })).to.have.keys('request.method');
    expect(errorsOf({ 'http.api.url': 'http://x', headers: 'no colon here' })['headers']).to.match(/Name:Value/);
    expect(errorsOf({ 'http.api.url': 'http://x', 'auth.type': 'basic' })).to.have.keys('connection.user');
    expect(
      errorsOf({ 'http.api.url': 'http://x', headers: 'A:1|B: x:y', 'auth.type': 'bearer', 'bearer.token': 's' }),
    ).to.deep.equal({});
  });
});

describe('HttpSinkTask', () => {
  let target: HttpTarget;
  let task: HttpSinkTask;
  const reported: Array<{ record: SinkRecord; error: Error }> = [];

  const start = async (targetOpts: HttpTargetOptions, props: Record<string, string> = {}, reporter = true) => {
    target = new HttpTarget(targetOpts);
    const url = await target.start();
    task = new HttpSinkTask();
    const config = {
      'http.api.url': `${url}/ingest`,
      'batch.linger.ms': '0',
      'retry.backoff.ms': '1',
      'retry.backoff.max.ms': '10',
      'retry.after.max.ms': '10',
      ...props,
    };
    task.start(config, {
      ...sinkContext(config),
      ...(reporter
        ? {
            errantRecordReporter: async (record: SinkRecord, error: Error) => {
              reported.push({ record, error });
            },
          }
        : {}),
    });
  };
  afterEach(async () => {
    task.stop();
    await target.stop();
    reported.length = 0;
  });

  it('POSTs JSON arrays of at most batch.max.size records, in order, with the configured headers', async () => {
    await start(
      {},
      {
        'batch.max.size': '3',
        headers: 'X-Team:pay|X-Token: a:b',
        'auth.type': 'basic',
        'connection.user': 'u',
        'connection.password': 'p',
      },
    );
    await task.put([rec(0), rec(1), rec(2), rec(3), rec(4)]);
    await task.flush();
    expect(target.accepted.map((a) => a.body)).to.deep.equal([
      [{ n: 0 }, { n: 1 }, { n: 2 }],
      [{ n: 3 }, { n: 4 }],
    ]);
    const first = target.accepted[0]!;
    expect(first.method).to.equal('POST');
    expect(first.url).to.equal('/ingest');
    expect(first.headers['content-type']).to.equal('application/json');
    expect(first.headers['x-team']).to.equal('pay');
    expect(first.headers['x-token']).to.equal('a:b');
    expect(first.headers['authorization']).to.equal(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('cuts batches at batch.max.bytes, sends one record per request when asked, and PUTs', async () => {
    await start({}, { 'batch.max.bytes': '25', 'request.method': 'PUT' });
    await task.put([rec(0, 'aaaaaaaa'), rec(1, 'bbbbbbbb'), rec(2, 'cccccccc')]);
    expect(target.accepted.map((a) => a.body)).to.deep.equal([['aaaaaaaa', 'bbbbbbbb'], ['cccccccc']]);
    expect(target.accepted[0]!.method).to.equal('PUT');
    await target.stop();
    await start({}, { 'batch.json.as.array': 'false', 'record.value.format': 'raw' });
    await task.put([rec(0, '{"a":1}'), rec(1, null), rec(2, '{"a":2}')]);
    expect(target.accepted.map((a) => a.body)).to.deep.equal([{ a: 1 }, { a: 2 }]);
  });

  it('holds a part-filled batch for batch.linger.ms, and flush sends it at once', async () => {
    await start({}, { 'batch.linger.ms': '600000' });
    await task.put([rec(0)]);
    expect(target.accepted).to.have.length(0);
    await task.flush();
    expect(target.values()).to.deep.equal([{ n: 0 }]);
  });

  it('retries 500s, 429s with Retry-After, slow answers and dropped connections until delivered, in order', async () => {
    await start(
      {
        script: [
          { kind: 'status', status: 500 },
          { kind: 'status', status: 429, retryAfter: '1' },
          { kind: 'drop' },
          { kind: 'slow', delayMs: 2000 },
          { kind: 'status', status: 503 },
        ],
      },
      { 'batch.max.size': '2', 'request.timeout.ms': '300' },
    );
    await task.put([rec(0), rec(1), rec(2)]);
    await task.flush();
    // The slow answer was accepted before the client gave up: at least once, so once more after it.
    expect(target.values()).to.deep.equal([{ n: 0 }, { n: 1 }, { n: 0 }, { n: 1 }, { n: 2 }]);
    expect(target.counts).to.include({ status: 3, drop: 1, slow: 1, ok: 2 });
  });

  it('fails after max.retries with the reason, and keeps failing', async () => {
    await start({ chaos: () => ({ kind: 'status', status: 502 }) }, { 'max.retries': '2' });
    let error: Error | undefined;
    await task.put([rec(0)]).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/failed after 2 retries: HTTP 502/);
    expect(target.counts.requests).to.equal(3);
    await task.flush().then(
      () => expect.fail('flush should throw'),
      (e: Error) => expect(e).to.equal(error),
    );
  });

  it('finds the refused records of a 400 batch and reports each with the status and body for the DLQ', async () => {
    await start({ isBad: (v) => (v as { bad?: boolean }).bad === true });
    await task.put([rec(0), rec(1, { bad: true }), rec(2), rec(3), rec(4, { bad: true }), rec(5)]);
    await task.flush();
    expect(target.values()).to.deep.equal([{ n: 0 }, { n: 2 }, { n: 3 }, { n: 5 }]);
    expect(reported.map((r) => r.record.kafkaOffset)).to.deep.equal([1, 4]);
    const error = reported[0]!.error as RecordRejectedError;
    expect(error).to.be.instanceOf(RecordRejectedError);
    expect(error.message).to.match(/refused the record t-0@1 with HTTP 400/);
    expect(error.deadLetterHeaders).to.deep.equal({
      [DLQ_STATUS_HEADER]: '400',
      [DLQ_BODY_HEADER]: '{"error":"bad record"}',
    });
  });

  it('fails on a refused record when the runtime offers no errant record reporter', async () => {
    await start({ isBad: () => true }, {}, false);
    const err = await task.put([rec(7)]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).to.be.instanceOf(RecordRejectedError);
  });

  it('trusts the CA of ssl.ca.file for an https:// URL, and refuses an unknown server certificate', async () => {
    const tmp = await tempDir();
    try {
      const key = tmp.file('key.pem');
      const cert = tmp.file('cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const tls = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
      await start({ tls }, { 'ssl.ca.file': cert });
      await task.put([rec(0)]);
      expect(target.values()).to.deep.equal([{ n: 0 }]);
      task.stop();
      await target.stop();
      await start({ tls }, { 'max.retries': '0' });
      const err = await task.put([rec(0)]).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/self[- ]signed|certificate/i);
    } finally {
      await tmp.cleanup();
    }
  });
});
