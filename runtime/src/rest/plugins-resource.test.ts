import { expect } from 'chai';
import { call, startTestServer, type TestServer } from './http.test-support.js';
import { normalizedPluginName, pluginMatches } from './plugins-resource.js';

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

describe('REST /connector-plugins', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.server.stop();
  });

  it('lists only connectors by default', async () => {
    const res = await call(t.base, 'GET', '/connector-plugins');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal([{ class: FILE_SOURCE, type: 'source', version: '4.0.0' }]);
    expect(t.herder.callsOf('plugins')[0]).to.deep.equal([true]);
  });

  it('lists every plugin with connectorsOnly=false', async () => {
    const res = await call(t.base, 'GET', '/connector-plugins?connectorsOnly=false');
    expect(res.status).to.equal(200);
    expect(res.body).to.have.length(2);
    expect(t.herder.callsOf('plugins')[0]).to.deep.equal([false]);
  });

  it('returns the config definition of a plugin', async () => {
    const res = await call(t.base, 'GET', '/connector-plugins/FileStreamSourceConnector/config');
    expect(res.status).to.equal(200);
    expect(res.body[0]).to.have.keys(
      'name',
      'type',
      'required',
      'default_value',
      'importance',
      'documentation',
      'group',
      'order_in_group',
      'width',
      'display_name',
      'dependents',
    );
  });

  it('answers 404 for the config of an unknown plugin', async () => {
    const res = await call(t.base, 'GET', '/connector-plugins/Nope/config');
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error_code: 404, message: 'Unknown plugin Nope.' });
  });

  it('validates a config whose connector.class matches the plugin', async () => {
    const res = await call(t.base, 'PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', {
      'connector.class': FILE_SOURCE,
      file: '/f',
      'tasks.max': 1,
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.have.keys('name', 'error_count', 'groups', 'configs');
    expect(res.body.configs[0].value).to.deep.equal({
      name: 'file',
      value: '/f',
      recommended_values: [],
      errors: [],
      visible: true,
    });
    expect(t.herder.callsOf('validateConnectorConfig')[0]![0]).to.deep.equal({
      'connector.class': FILE_SOURCE,
      file: '/f',
      'tasks.max': '1',
    });
  });

  for (const plugin of ['FileStreamSource', FILE_SOURCE, 'FileStreamSourceConnector']) {
    it(`accepts the plugin name ${plugin} for a fully qualified connector.class`, async () => {
      const res = await call(t.base, 'PUT', `/connector-plugins/${plugin}/config/validate`, {
        'connector.class': FILE_SOURCE,
      });
      expect(res.status).to.equal(200);
    });
  }

  it('refuses a connector.class that does not match the plugin with 400', async () => {
    const res = await call(t.base, 'PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', {
      'connector.class': FILE_SOURCE,
    });
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({
      error_code: 400,
      message: `Included connector type ${FILE_SOURCE} does not match request type FileStreamSinkConnector`,
    });
    expect(t.herder.callsOf('validateConnectorConfig')).to.have.length(0);
  });

  it('refuses a validate body that is not a string map with 400', async () => {
    const res = await call(t.base, 'PUT', '/connector-plugins/FileStreamSource/config/validate', { a: [1] });
    expect(res.status).to.equal(400);
  });

  it('answers 405 to GET on the validate path', async () => {
    const res = await call(t.base, 'GET', '/connector-plugins/FileStreamSource/config/validate');
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('PUT');
  });
});

describe('plugin name matching', () => {
  it('strips a trailing "Connector" but not a bare one', () => {
    expect(normalizedPluginName('FileStreamSourceConnector')).to.equal('FileStreamSource');
    expect(normalizedPluginName('Connector')).to.equal('Connector');
  });

  it('matches by suffix', () => {
    expect(pluginMatches('a.b.MySinkConnector', 'MySink')).to.equal(true);
    expect(pluginMatches('a.b.MySinkConnector', 'a.b.MySinkConnector')).to.equal(true);
    expect(pluginMatches('a.b.MySinkConnector', 'OtherSink')).to.equal(false);
  });
});
