import { expect } from 'chai';
import { call, startTestServer, type TestServer } from './http.test-support.js';

describe('REST /admin/loggers', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.server.stop();
  });

  it('lists the loggers with their levels', async () => {
    const res = await call(t.base, 'GET', '/admin/loggers');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      root: { level: 'INFO', last_modified: null },
      'org.apache.kafka.connect': { level: 'DEBUG', last_modified: 1700000000000 },
    });
  });

  it('returns one logger', async () => {
    const res = await call(t.base, 'GET', '/admin/loggers/org.apache.kafka.connect');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ level: 'DEBUG', last_modified: 1700000000000 });
  });

  it('answers 404 for an unknown logger', async () => {
    const res = await call(t.base, 'GET', '/admin/loggers/nope');
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error_code: 404, message: 'Logger nope not found.' });
  });

  it('answers 404 when the herder returns nothing for a logger', async () => {
    t.herder.logger = async () => undefined as never;
    const res = await call(t.base, 'GET', '/admin/loggers/x');
    expect(res.status).to.equal(404);
    expect(res.body.message).to.equal('Logger x not found.');
  });

  it('sets a worker-scope level and answers 200 with the changed loggers', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/org.apache.kafka.connect?scope=worker', { level: 'TRACE' });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(['org.apache.kafka.connect']);
    expect(t.herder.callsOf('setWorkerLoggerLevel')[0]).to.deep.equal(['org.apache.kafka.connect', 'TRACE']);
  });

  it('defaults to the worker scope without a scope param', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root', { level: 'warn' });
    expect(res.status).to.equal(200);
    expect(t.herder.callsOf('setWorkerLoggerLevel')[0]).to.deep.equal(['root', 'warn']);
  });

  it('falls back to the worker scope for an unknown scope, with a warning', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root?scope=galaxy', { level: 'INFO' });
    expect(res.status).to.equal(200);
    expect(t.logger.entries.some((e) => e.level === 'warn')).to.equal(true);
  });

  it('sets a cluster-scope level and answers 204', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root?scope=Cluster', { level: 'DEBUG' });
    expect(res.status).to.equal(204);
    expect(res.text).to.equal('');
    expect(t.herder.callsOf('setClusterLoggerLevel')[0]).to.deep.equal(['root', 'DEBUG']);
  });

  it('refuses a body without level with 400', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root', {});
    expect(res.status).to.equal(400);
    expect(res.body.message).to.equal("Desired 'level' parameter was not specified in request.");
  });

  it('refuses a non-string level with 400', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root', { level: 3 });
    expect(res.status).to.equal(400);
  });

  it('answers 404 for an unknown level, as Kafka does', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root', { level: 'LOUD' });
    expect(res.status).to.equal(404);
    expect(res.body.message).to.equal("invalid log level 'LOUD'.");
    expect(t.herder.callsOf('setWorkerLoggerLevel')).to.have.length(0);
  });

  it('refuses a body that is not an object with 400', async () => {
    const res = await call(t.base, 'PUT', '/admin/loggers/root', '["INFO"]');
    expect(res.status).to.equal(400);
  });
});
