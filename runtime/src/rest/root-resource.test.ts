import { expect } from 'chai';
import { call, startTestServer, type TestServer } from './http.test-support.js';
import { HEALTH_TIMEOUT_MESSAGE } from './root-resource.js';

describe('REST root, health and metrics', () => {
  let t: TestServer;
  afterEach(async () => {
    await t.server.stop();
  });

  it('GET / returns the server info', async () => {
    t = await startTestServer();
    const res = await call(t.base, 'GET', '/');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ version: '4.0.0-sluice', commit: 'abc123', kafka_cluster_id: 'cluster-1' });
  });

  it('GET /health answers 200 when healthy', async () => {
    t = await startTestServer();
    const res = await call(t.base, 'GET', '/health');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      status: 'healthy',
      message: 'Worker has completed startup and is ready to handle requests.',
    });
  });

  it('GET /health answers 503 while starting', async () => {
    t = await startTestServer();
    t.herder.healthState = { status: 'starting', message: 'Worker is still starting up.' };
    const res = await call(t.base, 'GET', '/health');
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ status: 'starting', message: 'Worker is still starting up.' });
  });

  it('GET /health answers 500 when unhealthy', async () => {
    t = await startTestServer();
    t.herder.healthState = { status: 'unhealthy', message: 'broken' };
    const res = await call(t.base, 'GET', '/health');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ status: 'unhealthy', message: 'broken' });
  });

  it('GET /health answers 500 unhealthy when the check does not finish in time', async () => {
    t = await startTestServer({ healthTimeoutMs: 50 });
    t.herder.health = () => new Promise(() => {});
    const res = await call(t.base, 'GET', '/health');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ status: 'unhealthy', message: HEALTH_TIMEOUT_MESSAGE });
  });

  it('GET /health answers 500 unhealthy when the check throws', async () => {
    t = await startTestServer();
    t.herder.health = async () => {
      throw new Error('herder crashed');
    };
    const res = await call(t.base, 'GET', '/health');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ status: 'unhealthy', message: 'herder crashed' });
  });

  it('GET /metrics serves the injected Prometheus text', async () => {
    t = await startTestServer({
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'up 1\n' }),
    });
    const res = await call(t.base, 'GET', '/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).to.equal('up 1\n');
  });

  it('GET /metrics answers 404 when no metrics are injected', async () => {
    t = await startTestServer();
    const res = await call(t.base, 'GET', '/metrics');
    expect(res.status).to.equal(404);
  });

  it('GET /metrics answers 500 when collecting fails', async () => {
    t = await startTestServer({
      metrics: async () => {
        throw new Error('collect failed');
      },
    });
    const res = await call(t.base, 'GET', '/metrics');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error_code: 500, message: 'collect failed' });
  });
});
