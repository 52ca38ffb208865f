import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { ConfigError, DataError } from '../sdk/errors.js';
import { createRestServer, parseTarget } from './server.js';
import { FakeHerder } from './fake-herder.test-support.js';
import { call, parseRaw, raw, startTestServer, type TestServer } from './http.test-support.js';
import { RebalanceInProgressError } from '../errors.js';

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

describe('REST server', () => {
  let t: TestServer;
  afterEach(async () => {
    await t?.server.stop();
  });

  describe('routing', () => {
    beforeEach(async () => {
      t = await startTestServer();
    });

    it('answers 404 with an error body for an unknown path', async () => {
      const res = await call(t.base, 'GET', '/nope');
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error_code: 404, message: 'HTTP 404 Not Found' });
    });

    it('answers 404 for an empty connector name segment', async () => {
      const res = await call(t.base, 'GET', '/connectors//status');
      expect(res.status).to.equal(404);
    });

    it('answers 405 with an Allow header for a wrong method on a known path', async () => {
      const res = await call(t.base, 'POST', '/connectors/a/status');
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.equal('GET');
      expect(res.body).to.deep.equal({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
    });

    it('lists every allowed method in the 405', async () => {
      const res = await call(t.base, 'POST', '/connectors/a/config');
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.equal('GET, PATCH, PUT');
    });

    it('answers HEAD like GET without a body', async () => {
      t.herder.seed('a');
      const res = await fetch(`${t.base}/connectors`, { method: 'HEAD' });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('');
    });
  });

  describe('error mapping', () => {
    beforeEach(async () => {
      t = await startTestServer();
    });

    it('maps a herder error by its status (409 for a rebalance)', async () => {
      t.herder.connectors = async () => {
        throw new RebalanceInProgressError('Cannot complete request momentarily due to stale configuration');
      };
      const res = await call(t.base, 'GET', '/connectors');
      expect(res.status).to.equal(409);
      expect(res.body).to.deep.equal({
        error_code: 409,
        message: 'Cannot complete request momentarily due to stale configuration',
      });
    });

    it('maps a ConfigError to 400', async () => {
      t.herder.validateConnectorConfig = async () => {
        throw new ConfigError('tasks.max', 'must be positive');
      };
      const res = await call(t.base, 'PUT', '/connector-plugins/X/config/validate', {});
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({
        error_code: 400,
        message: 'Invalid value for configuration tasks.max: must be positive',
      });
    });

    it('maps a DataError to 400', async () => {
      t.herder.connectorOffsets = async () => {
        throw new DataError('bad offset');
      };
      const res = await call(t.base, 'GET', '/connectors/a/offsets');
      expect(res.status).to.equal(400);
    });

    it('maps any other error to 500 with its message, and logs it', async () => {
      t.herder.serverInfo = async () => {
        throw new TypeError('kaput');
      };
      const res = await call(t.base, 'GET', '/');
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({ error_code: 500, message: 'kaput' });
      expect(t.logger.entries.some((e) => e.level === 'error')).to.equal(true);
    });

    it('maps a thrown non-error to 500', async () => {
      t.herder.serverInfo = async () => {
        throw 'plain string';
      };
      const res = await call(t.base, 'GET', '/');
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({ error_code: 500, message: 'plain string' });
    });

    it('ignores a status that is not an HTTP error code', async () => {
      t.herder.serverInfo = async () => {
        throw Object.assign(new Error('odd'), { status: 200 });
      };
      const res = await call(t.base, 'GET', '/');
      expect(res.status).to.equal(500);
    });
  });

  describe('hostile input', () => {
    it('answers 400 to malformed JSON', async () => {
      t = await startTestServer();
      const res = await call(t.base, 'POST', '/connectors', '{"name": "a", config: }');
      expect(res.status).to.equal(400);
      expect(res.body.error_code).to.equal(400);
      expect(res.body.message).to.match(/^Request body is not valid JSON/);
    });

    it('answers 400 to a body that is not UTF-8', async () => {
      t = await startTestServer();
      const body = Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x7d]);
      const res = await call(t.base, 'PUT', '/connectors/a/config', new Uint8Array(body));
      expect(res.status).to.equal(400);
      expect(res.body.message).to.equal('Request body is not valid UTF-8');
    });

    it('answers 415 to a form-encoded body', async () => {
      t = await startTestServer();
      const res = await call(t.base, 'PUT', '/connectors/a/config', 'a=b', {
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      expect(res.status).to.equal(415);
      expect(res.body.error_code).to.equal(415);
    });

    it('accepts JSON sent as text/plain or without a Content-Type', async () => {
      t = await startTestServer();
      const asText = await fetch(`${t.base}/connectors/a/config`, {
        method: 'PUT',
        body: JSON.stringify({ 'connector.class': FILE_SOURCE }),
      });
      expect(asText.status).to.equal(201);
      const { response } = await raw(t.port, [
        'PUT /connectors/b/config HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      ]);
      // {} has no connector.class: the herder's 400, so the body was parsed.
      expect(parseRaw(response).status).to.equal(400);
      expect(t.herder.callsOf('putConnectorConfig')).to.have.length(2);
    });

    it('answers 413 when Content-Length is over the limit, without reading the body', async () => {
      t = await startTestServer({ maxBodyBytes: 1000 });
      const { response } = await raw(t.port, [
        'PUT /connectors/a/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{',
      ]);
      const parsed = parseRaw(response);
      expect(parsed.status).to.equal(413);
      expect(parsed.body).to.deep.equal({
        error_code: 413,
        message: 'Request body is larger than the limit of 1000 bytes',
      });
      expect(response).to.match(/connection: close/i);
      expect(t.herder.calls).to.have.length(0);
    });

    it('answers 413 to a chunked body that grows over the limit, and hangs up', async () => {
      t = await startTestServer({ maxBodyBytes: 1000 });
      const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;
      const { response, closed } = await raw(
        t.port,
        [
          'PUT /connectors/a/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
          chunk('{"a":"' + 'x'.repeat(600)),
          chunk('x'.repeat(600)),
          chunk('x'.repeat(600)),
        ],
        { gapMs: 20 },
      );
      expect(parseRaw(response).status).to.equal(413);
      expect(closed).to.equal(true);
      expect(t.herder.calls).to.have.length(0);
    });

    it('answers 413 to an oversized body sent with fetch', async () => {
      t = await startTestServer({ maxBodyBytes: 1024 });
      const res = await call(t.base, 'PUT', '/connectors/a/config', { a: 'x'.repeat(5000) });
      expect(res.status).to.equal(413);
    });

    it('accepts a body of exactly the limit', async () => {
      const body = JSON.stringify({ 'connector.class': FILE_SOURCE, pad: '' });
      t = await startTestServer({ maxBodyBytes: body.length });
      const res = await call(t.base, 'PUT', '/connectors/a/config', body);
      expect(res.status).to.equal(201);
    });

    it('answers 400 to bad percent-encoding in the path', async () => {
      t = await startTestServer();
      const { response } = await raw(t.port, [
        'GET /connectors/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ]);
      const parsed = parseRaw(response);
      expect(parsed.status).to.equal(400);
      expect(parsed.body).to.deep.equal({ error_code: 400, message: 'Malformed URL path: bad percent-encoding' });
    });

    it('answers 431 to a huge URL', async () => {
      t = await startTestServer();
      const res = await fetch(`${t.base}/connectors/${'a'.repeat(100_000)}`);
      expect(res.status).to.equal(431);
    });

    it('answers 400 to a garbage request line', async () => {
      t = await startTestServer();
      const { response, closed } = await raw(t.port, ['\x00\x01 NOT HTTP\r\n\r\n']);
      expect(parseRaw(response).status).to.equal(400);
      expect(closed).to.equal(true);
    });

    it('answers 400 to an asterisk-form target', async () => {
      t = await startTestServer();
      const { response } = await raw(t.port, ['OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
      expect(parseRaw(response).status).to.equal(400);
    });

    it('routes an absolute-form target by its path', async () => {
      t = await startTestServer();
      const { response } = await raw(t.port, [
        'GET http://x/connectors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ]);
      expect(parseRaw(response)).to.deep.equal({ status: 200, body: [] });
    });

    it('does not treat "//host" in the path as a URL authority', async () => {
      t = await startTestServer();
      const { response } = await raw(t.port, [
        'GET //evil/connectors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ]);
      expect(parseRaw(response).status).to.equal(404);
    });

    it('hangs up on a client that never finishes its headers', async () => {
      t = await startTestServer({ headersTimeoutMs: 200, receiveTimeoutMs: 400 });
      const started = Date.now();
      const { response, closed } = await raw(t.port, ['GET /connectors HTTP/1.1\r\nHost: x\r\n'], { timeoutMs: 3000 });
      expect(closed).to.equal(true);
      expect(Date.now() - started).to.be.below(2500);
      expect(parseRaw(response).status).to.equal(408);
    });

    it('hangs up on a client that never finishes its body', async () => {
      t = await startTestServer({ headersTimeoutMs: 200, receiveTimeoutMs: 400 });
      const started = Date.now();
      const { closed } = await raw(
        t.port,
        [
          'PUT /connectors/a/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"a":',
        ],
        { timeoutMs: 3000 },
      );
      expect(closed).to.equal(true);
      expect(Date.now() - started).to.be.below(2500);
      expect(t.herder.calls).to.have.length(0);
    });
  });

  describe('request timeout', () => {
    it('answers 500 "Request timed out" when the herder does not answer in time', async () => {
      t = await startTestServer({ requestTimeoutMs: 100 });
      t.herder.connectors = () => new Promise(() => {});
      const started = Date.now();
      const res = await call(t.base, 'GET', '/connectors');
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({ error_code: 500, message: 'Request timed out' });
      expect(Date.now() - started).to.be.below(2000);
    });

    it('drops a herder failure that arrives after the timeout', async () => {
      t = await startTestServer({ requestTimeoutMs: 50 });
      t.herder.connectors = () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 150));
      const res = await call(t.base, 'GET', '/connectors');
      expect(res.status).to.equal(500);
      await new Promise((r) => setTimeout(r, 200));
      // The server still serves requests.
      t.herder.connectors = async () => [];
      expect((await call(t.base, 'GET', '/connectors')).status).to.equal(200);
    });

    it('aborts the request signal on timeout', async () => {
      t = await startTestServer({ requestTimeoutMs: 50 });
      let aborted = false;
      t.server.addRoute('GET', '/slow', (req) => {
        return new Promise(() => {
          req.signal.addEventListener('abort', () => (aborted = true));
        });
      });
      const res = await call(t.base, 'GET', '/slow');
      expect(res.status).to.equal(500);
      expect(aborted).to.equal(true);
    });
  });

  describe('extension routes', () => {
    it('serves a route added with addRoute, with decoded params and the parsed body', async () => {
      t = await startTestServer();
      t.server.addRoute('PUT', '/sluice/drain/{worker}', async (req) => ({
        status: 202,
        body: { worker: req.params['worker'], body: req.json(), q: req.query.get('x') },
      }));
      const res = await call(t.base, 'PUT', '/sluice/drain/w%201?x=y', { force: true });
      expect(res.status).to.equal(202);
      expect(res.body).to.deep.equal({ worker: 'w 1', body: { force: true }, q: 'y' });
    });

    it('prefers a literal extension segment over a connector name param', async () => {
      t = await startTestServer();
      t.server.addRoute('GET', '/connectors/sluice-internal', () => ({ status: 200, body: 'ext' }));
      t.herder.seed('other');
      expect((await call(t.base, 'GET', '/connectors/sluice-internal')).body).to.equal('ext');
      expect((await call(t.base, 'GET', '/connectors/other')).body.name).to.equal('other');
    });

    it('refuses a route that clashes with an existing one', async () => {
      t = await startTestServer();
      expect(() => t.server.addRoute('GET', '/connectors/{name}', () => ({ status: 200 }))).to.throw(/clashes/);
    });

    it('maps an error thrown by an extension route', async () => {
      t = await startTestServer();
      t.server.addRoute('PUT', '/sluice/drain', () => {
        throw new RebalanceInProgressError('rebalancing');
      });
      const res = await call(t.base, 'PUT', '/sluice/drain');
      expect(res.status).to.equal(409);
      expect(res.body).to.deep.equal({ error_code: 409, message: 'rebalancing' });
    });
  });

  describe('logging', () => {
    it('logs each request at debug with method, path, status and duration, but never the body', async () => {
      t = await startTestServer();
      await call(t.base, 'POST', '/connectors', {
        name: 'a',
        config: { 'connector.class': FILE_SOURCE, 'db.password': 'hunter2' },
      });
      const entry = t.logger.entries.find((e) => e.level === 'debug' && e.meta?.['path'] === '/connectors');
      expect(entry?.meta).to.include({ method: 'POST', path: '/connectors', status: 201 });
      expect(entry?.meta?.['ms']).to.be.a('number');
      expect(JSON.stringify(t.logger.entries)).to.not.include('hunter2');
    });

    it('never logs the body of a failing request either', async () => {
      t = await startTestServer();
      t.herder.putConnectorConfig = async () => {
        throw new Error('boom');
      };
      await call(t.base, 'PUT', '/connectors/a/config', { 'connector.class': FILE_SOURCE, secret: 'hunter2' });
      expect(JSON.stringify(t.logger.entries)).to.not.include('hunter2');
    });
  });

  describe('lifecycle', () => {
    it('reports its URL and bound port after start', async () => {
      t = await startTestServer();
      expect(t.base).to.equal(`http://127.0.0.1:${t.port}`);
      expect(t.port).to.be.greaterThan(0);
    });

    it('rejects start when the port is taken', async () => {
      t = await startTestServer();
      const other = createRestServer({ herder: new FakeHerder(), host: '127.0.0.1', port: t.port });
      let error: unknown;
      await other.start().catch((e) => (error = e));
      expect((error as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
    });

    it('stops even with an idle keep-alive connection open', async () => {
      t = await startTestServer();
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${t.base}/connectors`, { agent: undefined }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.end();
      });
      const started = Date.now();
      await t.server.stop();
      expect(Date.now() - started).to.be.below(1000);
    });

    it('lets stop be called twice', async () => {
      t = await startTestServer();
      await t.server.stop();
      await t.server.stop();
    });
  });
});

describe('parseTarget', () => {
  it('splits and decodes path segments and keeps the raw path', () => {
    const target = parseTarget('/connectors/a%20b%2Fc/status?expand=info&expand=status');
    expect(target.path).to.equal('/connectors/a%20b%2Fc/status');
    expect(target.segments).to.deep.equal(['connectors', 'a b/c', 'status']);
    expect(target.query.getAll('expand')).to.deep.equal(['info', 'status']);
  });

  it('keeps "+" in a path segment literal', () => {
    expect(parseTarget('/connectors/a+b').segments).to.deep.equal(['connectors', 'a+b']);
  });

  it('maps "/" to no segments', () => {
    expect(parseTarget('/').segments).to.deep.equal([]);
    expect(parseTarget('/?x=1').segments).to.deep.equal([]);
  });
});
