import { expect } from 'chai';
import { call, startTestServer, type TestServer } from './http.test-support.js';
import { WORKER_ID } from './fake-herder.test-support.js';

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

describe('REST /connectors', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.server.stop();
  });

  describe('GET /connectors', () => {
    it('lists connector names', async () => {
      t.herder.seed('a');
      t.herder.seed('b');
      const res = await call(t.base, 'GET', '/connectors');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/json');
      expect(res.body).to.deep.equal(['a', 'b']);
    });

    it('expands status and info when both are asked for with a repeated param', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'GET', '/connectors?expand=status&expand=info');
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(['a']);
      expect(res.body.a.status.connector).to.deep.equal({ state: 'RUNNING', worker_id: WORKER_ID });
      expect(res.body.a.info.name).to.equal('a');
      expect(res.body.a.info.tasks).to.deep.equal([{ connector: 'a', task: 0 }]);
    });

    it('expands only status when only status is asked for', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'GET', '/connectors?expand=status');
      expect(Object.keys(res.body.a)).to.deep.equal(['status']);
    });

    it('ignores unknown expansions', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'GET', '/connectors?expand=bogus');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ a: {} });
    });

    it('leaves out a connector deleted while it was being expanded', async () => {
      t.herder.seed('a');
      t.herder.seed('gone');
      const original = t.herder.connectorStatus.bind(t.herder);
      t.herder.connectorStatus = async (name) => {
        if (name === 'gone') t.herder.store.delete('gone');
        return original(name);
      };
      const res = await call(t.base, 'GET', '/connectors?expand=status');
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(['a']);
    });

    it('accepts a trailing slash', async () => {
      const res = await call(t.base, 'GET', '/connectors/');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([]);
    });
  });

  describe('POST /connectors', () => {
    it('creates a connector and answers 201 with a Location and the connector info', async () => {
      const res = await call(t.base, 'POST', '/connectors', {
        name: 'my source',
        config: { 'connector.class': FILE_SOURCE, 'tasks.max': '2', file: '/tmp/x' },
      });
      expect(res.status).to.equal(201);
      expect(res.headers.get('location')).to.equal(`${t.base}/connectors/my%20source`);
      expect(res.body).to.deep.equal({
        name: 'my source',
        config: { 'connector.class': FILE_SOURCE, 'tasks.max': '2', file: '/tmp/x', name: 'my source' },
        tasks: [
          { connector: 'my source', task: 0 },
          { connector: 'my source', task: 1 },
        ],
        type: 'source',
      });
      const [args] = t.herder.callsOf('putConnectorConfig');
      expect(args![0]).to.equal('my source');
      expect(args![2]).to.deep.equal({ allowReplace: false });
    });

    it('trims the name and puts it into the config', async () => {
      await call(t.base, 'POST', '/connectors', { name: '  c1 ', config: { 'connector.class': FILE_SOURCE } });
      const [args] = t.herder.callsOf('putConnectorConfig');
      expect(args![0]).to.equal('c1');
      expect((args![1] as Record<string, string>)['name']).to.equal('c1');
    });

    it('passes a valid initial_state, case-insensitively', async () => {
      const res = await call(t.base, 'POST', '/connectors', {
        name: 'c1',
        config: { 'connector.class': FILE_SOURCE },
        initial_state: 'paused',
      });
      expect(res.status).to.equal(201);
      expect(t.herder.callsOf('putConnectorConfig')[0]![2]).to.deep.equal({
        allowReplace: false,
        initialState: 'PAUSED',
      });
    });

    for (const bad of ['RUNNINGX', 'STARTED', 7, true, {}]) {
      it(`refuses initial_state ${JSON.stringify(bad)} with 400`, async () => {
        const res = await call(t.base, 'POST', '/connectors', {
          name: 'c1',
          config: { 'connector.class': FILE_SOURCE },
          initial_state: bad,
        });
        expect(res.status).to.equal(400);
        expect(res.body.error_code).to.equal(400);
        expect(res.body.message).to.match(/initial_state/);
        expect(t.herder.callsOf('putConnectorConfig')).to.have.length(0);
      });
    }

    it('refuses a missing name with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', { config: { 'connector.class': FILE_SOURCE } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error_code: 400, message: 'Connector name is required' });
    });

    it('refuses a blank name with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', { name: '  ', config: {} });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.equal('Connector name is required');
    });

    it('refuses a non-string name with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', { name: 5, config: {} });
      expect(res.status).to.equal(400);
    });

    it('refuses a name in the config that differs from the request name with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', { name: 'a', config: { name: 'b' } });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.equal("Connector name configuration (b) doesn't match connector name in the URL (a)");
    });

    it('refuses a missing config with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', { name: 'a' });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.equal('Connector configuration is required');
    });

    for (const config of [[], 'x', 3, null]) {
      it(`refuses a config that is ${JSON.stringify(config)} with 400`, async () => {
        const res = await call(t.base, 'POST', '/connectors', { name: 'a', config });
        expect(res.status).to.equal(400);
        expect(res.body.error_code).to.equal(400);
      });
    }

    it('coerces number and boolean config values to strings, as Kafka does', async () => {
      const res = await call(t.base, 'POST', '/connectors', {
        name: 'a',
        config: { 'connector.class': FILE_SOURCE, 'tasks.max': 3, 'errors.log.enable': true },
      });
      expect(res.status).to.equal(201);
      expect(res.body.config['tasks.max']).to.equal('3');
      expect(res.body.config['errors.log.enable']).to.equal('true');
    });

    for (const value of [{ a: 1 }, ['x'], null]) {
      it(`refuses a config value that is ${JSON.stringify(value)} with 400`, async () => {
        const res = await call(t.base, 'POST', '/connectors', {
          name: 'a',
          config: { 'connector.class': FILE_SOURCE, nested: value },
        });
        expect(res.status).to.equal(400);
        expect(res.body.message).to.match(/nested/);
      });
    }

    it('refuses a body that is not a JSON object with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', [1, 2]);
      expect(res.status).to.equal(400);
    });

    it('refuses an empty body with 400', async () => {
      const res = await call(t.base, 'POST', '/connectors', '');
      expect(res.status).to.equal(400);
      expect(res.body.message).to.equal('Request body is required');
    });

    it('answers 409 when the connector exists', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'POST', '/connectors', { name: 'a', config: { 'connector.class': FILE_SOURCE } });
      expect(res.status).to.equal(409);
      expect(res.body).to.deep.equal({ error_code: 409, message: 'Connector a already exists' });
    });

    it('answers 400 with the herder message when the config is invalid', async () => {
      const res = await call(t.base, 'POST', '/connectors', { name: 'a', config: {} });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.match(/^Connector configuration is invalid and contains the following 1 error/);
    });

    it('keeps a "__proto__" config key as a plain key', async () => {
      const res = await call(
        t.base,
        'POST',
        '/connectors',
        `{"name":"a","config":{"connector.class":"${FILE_SOURCE}","__proto__":"x"}}`,
      );
      expect(res.status).to.equal(201);
      const config = t.herder.callsOf('putConnectorConfig')[0]![1] as Record<string, string>;
      expect(Object.getPrototypeOf(config)).to.equal(Object.prototype);
      expect(Object.hasOwn(config, '__proto__')).to.equal(true);
    });
  });

  describe('GET /connectors/{c}', () => {
    it('returns the connector info', async () => {
      t.herder.seed('a', {}, 2);
      const res = await call(t.base, 'GET', '/connectors/a');
      expect(res.status).to.equal(200);
      expect(res.body).to.have.keys('name', 'config', 'tasks', 'type');
      expect(res.body.tasks).to.have.length(2);
    });

    it('answers 404 with the herder message for an unknown connector', async () => {
      const res = await call(t.base, 'GET', '/connectors/nope');
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error_code: 404, message: 'Connector nope not found' });
    });

    it('decodes the connector name from the path', async () => {
      t.herder.seed('a b/c+d é');
      const res = await call(t.base, 'GET', `/connectors/${encodeURIComponent('a b/c+d é')}`);
      expect(res.status).to.equal(200);
      expect(res.body.name).to.equal('a b/c+d é');
    });
  });

  describe('/connectors/{c}/config', () => {
    it('GET returns the config', async () => {
      t.herder.seed('a', { file: '/f' });
      const res = await call(t.base, 'GET', '/connectors/a/config');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ name: 'a', 'connector.class': FILE_SOURCE, 'tasks.max': '1', file: '/f' });
    });

    it('PUT answers 201 with a Location when it creates the connector', async () => {
      const res = await call(t.base, 'PUT', '/connectors/a/config', { 'connector.class': FILE_SOURCE });
      expect(res.status).to.equal(201);
      expect(res.headers.get('location')).to.equal(`${t.base}/connectors/a`);
      expect(res.body.name).to.equal('a');
      expect(t.herder.callsOf('putConnectorConfig')[0]).to.deep.equal([
        'a',
        { 'connector.class': FILE_SOURCE, name: 'a' },
        { allowReplace: true },
      ]);
    });

    it('PUT answers 200 when it updates the connector', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'PUT', '/connectors/a/config', { 'connector.class': FILE_SOURCE, name: 'a' });
      expect(res.status).to.equal(200);
      expect(res.headers.get('location')).to.equal(null);
      expect(res.body.name).to.equal('a');
    });

    it("PUT refuses a body name that differs from the URL's with 400", async () => {
      const res = await call(t.base, 'PUT', '/connectors/x/config', { 'connector.class': FILE_SOURCE, name: 'y' });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({
        error_code: 400,
        message: "Connector name configuration (y) doesn't match connector name in the URL (x)",
      });
    });

    it('PUT refuses a nested config value with 400', async () => {
      const res = await call(t.base, 'PUT', '/connectors/x/config', { 'connector.class': FILE_SOURCE, a: { b: 1 } });
      expect(res.status).to.equal(400);
    });

    it('PATCH merges the patch, with null deleting a key', async () => {
      t.herder.seed('a', { file: '/f', topic: 't' });
      const res = await call(t.base, 'PATCH', '/connectors/a/config', { file: null, topic: 'u', 'tasks.max': 4 });
      expect(res.status).to.equal(200);
      expect(t.herder.callsOf('patchConnectorConfig')[0]).to.deep.equal([
        'a',
        { file: null, topic: 'u', 'tasks.max': '4' },
      ]);
      expect(res.body.config).to.not.have.property('file');
      expect(res.body.config.topic).to.equal('u');
    });

    it('PATCH refuses a name that differs from the URL with 400', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'PATCH', '/connectors/a/config', { name: 'b' });
      expect(res.status).to.equal(400);
    });

    it('PATCH refuses a body that is not an object with 400', async () => {
      const res = await call(t.base, 'PATCH', '/connectors/a/config', '"x"');
      expect(res.status).to.equal(400);
    });

    it('PATCH of an unknown connector answers 404', async () => {
      const res = await call(t.base, 'PATCH', '/connectors/nope/config', { a: 'b' });
      expect(res.status).to.equal(404);
    });
  });

  describe('status and tasks', () => {
    it('GET /status returns the connector and task states', async () => {
      t.herder.seed('a', {}, 2);
      const res = await call(t.base, 'GET', '/connectors/a/status');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        name: 'a',
        connector: { state: 'RUNNING', worker_id: WORKER_ID },
        tasks: [
          { id: 0, state: 'RUNNING', worker_id: WORKER_ID },
          { id: 1, state: 'RUNNING', worker_id: WORKER_ID },
        ],
        type: 'source',
      });
    });

    it('GET /tasks returns the task configs', async () => {
      t.herder.seed('a', { file: '/f' }, 2);
      const res = await call(t.base, 'GET', '/connectors/a/tasks');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([
        { id: { connector: 'a', task: 0 }, config: { 'task.class': 'FileStreamSourceTask', file: '/f' } },
        { id: { connector: 'a', task: 1 }, config: { 'task.class': 'FileStreamSourceTask', file: '/f' } },
      ]);
    });

    it('GET /tasks-config returns the deprecated map form keyed by connector-task', async () => {
      t.herder.seed('a', { file: '/f' }, 2);
      const res = await call(t.base, 'GET', '/connectors/a/tasks-config');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        'a-0': { 'task.class': 'FileStreamSourceTask', file: '/f' },
        'a-1': { 'task.class': 'FileStreamSourceTask', file: '/f' },
      });
    });

    it('GET /tasks/{n}/status returns one task state', async () => {
      t.herder.seed('a', {}, 2);
      const res = await call(t.base, 'GET', '/connectors/a/tasks/1/status');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ id: 1, state: 'RUNNING', worker_id: WORKER_ID });
      expect(t.herder.callsOf('taskStatus')[0]).to.deep.equal(['a', 1]);
    });

    it('GET /tasks/{n}/status answers 404 for an unknown task', async () => {
      t.herder.seed('a', {}, 1);
      const res = await call(t.base, 'GET', '/connectors/a/tasks/5/status');
      expect(res.status).to.equal(404);
      expect(res.body.error_code).to.equal(404);
    });

    for (const task of ['x', '-1', '1.5', '99999999999']) {
      it(`GET /tasks/${task}/status answers 404 without calling the herder`, async () => {
        t.herder.seed('a');
        const res = await call(t.base, 'GET', `/connectors/a/tasks/${task}/status`);
        expect(res.status).to.equal(404);
        expect(t.herder.callsOf('taskStatus')).to.have.length(0);
      });
    }

    it('POST /tasks/{n}/restart answers 204', async () => {
      t.herder.seed('a', {}, 2);
      const res = await call(t.base, 'POST', '/connectors/a/tasks/1/restart');
      expect(res.status).to.equal(204);
      expect(res.text).to.equal('');
      expect(t.herder.callsOf('restartTask')[0]).to.deep.equal(['a', 1]);
    });

    it('POST /tasks/{n}/restart answers 404 for an unknown task', async () => {
      t.herder.seed('a', {}, 1);
      const res = await call(t.base, 'POST', '/connectors/a/tasks/3/restart');
      expect(res.status).to.equal(404);
    });
  });

  describe('POST /connectors/{c}/restart', () => {
    it('answers 204 when only the connector restarted', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'POST', '/connectors/a/restart');
      expect(res.status).to.equal(204);
      expect(t.herder.callsOf('restartConnector')[0]).to.deep.equal(['a', { includeTasks: false, onlyFailed: false }]);
    });

    it('answers 202 with the RESTARTING status when tasks are included', async () => {
      t.herder.seed('a', {}, 2);
      const res = await call(t.base, 'POST', '/connectors/a/restart?includeTasks=true&onlyFailed=TRUE');
      expect(res.status).to.equal(202);
      expect(res.body.connector.state).to.equal('RESTARTING');
      expect(res.body.tasks.map((x: { state: string }) => x.state)).to.deep.equal(['RESTARTING', 'RESTARTING']);
      expect(t.herder.callsOf('restartConnector')[0]![1]).to.deep.equal({ includeTasks: true, onlyFailed: true });
    });

    it('treats flag values other than "true" as false', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'POST', '/connectors/a/restart?includeTasks=yes&onlyFailed=');
      expect(res.status).to.equal(204);
      expect(t.herder.callsOf('restartConnector')[0]![1]).to.deep.equal({ includeTasks: false, onlyFailed: false });
    });

    it('answers 404 for an unknown connector', async () => {
      const res = await call(t.base, 'POST', '/connectors/nope/restart');
      expect(res.status).to.equal(404);
    });
  });

  describe('pause, resume, stop, delete', () => {
    it('PUT /pause answers 202 with no body', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'PUT', '/connectors/a/pause');
      expect(res.status).to.equal(202);
      expect(res.text).to.equal('');
      expect(t.herder.store.get('a')!.state).to.equal('PAUSED');
    });

    it('PUT /resume answers 202', async () => {
      t.herder.seed('a', {}, 1, 'PAUSED');
      const res = await call(t.base, 'PUT', '/connectors/a/resume');
      expect(res.status).to.equal(202);
      expect(t.herder.store.get('a')!.state).to.equal('RUNNING');
    });

    it('PUT /stop answers 204', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'PUT', '/connectors/a/stop');
      expect(res.status).to.equal(204);
      expect(t.herder.store.get('a')!.state).to.equal('STOPPED');
    });

    it('PUT /pause of an unknown connector answers 404', async () => {
      const res = await call(t.base, 'PUT', '/connectors/nope/pause');
      expect(res.status).to.equal(404);
    });

    it('DELETE answers 204', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'DELETE', '/connectors/a');
      expect(res.status).to.equal(204);
      expect(t.herder.store.has('a')).to.equal(false);
    });

    it('DELETE of an unknown connector answers 404', async () => {
      const res = await call(t.base, 'DELETE', '/connectors/nope');
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error_code: 404, message: 'Connector nope not found' });
    });
  });

  describe('/connectors/{c}/offsets', () => {
    it('GET returns the offsets', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'GET', '/connectors/a/offsets');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        offsets: [{ partition: { filename: '/tmp/in.txt' }, offset: { position: 42 } }],
      });
    });

    it('PATCH alters the offsets and answers 200 with the message', async () => {
      t.herder.seed('a', {}, 0, 'STOPPED');
      const offsets = {
        offsets: [
          { partition: { filename: '/x' }, offset: { position: 1 } },
          { partition: { filename: '/y' }, offset: null },
        ],
      };
      const res = await call(t.base, 'PATCH', '/connectors/a/offsets', offsets);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The offsets for this connector have been altered successfully' });
      expect(t.herder.callsOf('alterConnectorOffsets')[0]).to.deep.equal(['a', offsets]);
    });

    it('PATCH answers 400 from the herder when the connector is not stopped', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'PATCH', '/connectors/a/offsets', {
        offsets: [{ partition: { p: 1 }, offset: { o: 1 } }],
      });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.match(/STOPPED/);
    });

    for (const body of [{}, { offsets: [] }, { offsets: 'x' }, { offsets: [1] }, { offsets: [{ offset: {} }] }]) {
      it(`PATCH refuses ${JSON.stringify(body)} with 400`, async () => {
        t.herder.seed('a', {}, 0, 'STOPPED');
        const res = await call(t.base, 'PATCH', '/connectors/a/offsets', body);
        expect(res.status).to.equal(400);
        expect(t.herder.callsOf('alterConnectorOffsets')).to.have.length(0);
      });
    }

    it('PATCH refuses an offset that is not an object with 400', async () => {
      const res = await call(t.base, 'PATCH', '/connectors/a/offsets', {
        offsets: [{ partition: { p: 1 }, offset: 5 }],
      });
      expect(res.status).to.equal(400);
    });

    it('DELETE resets the offsets and answers 200 with the message', async () => {
      t.herder.seed('a', {}, 0, 'STOPPED');
      const res = await call(t.base, 'DELETE', '/connectors/a/offsets');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The offsets for this connector have been reset successfully' });
    });
  });

  describe('/connectors/{c}/topics', () => {
    it('GET returns the active topics keyed by connector name', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'GET', '/connectors/a/topics');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ a: { topics: ['topic-a'] } });
    });

    it('PUT /topics/reset answers 202', async () => {
      t.herder.seed('a');
      const res = await call(t.base, 'PUT', '/connectors/a/topics/reset');
      expect(res.status).to.equal(202);
      expect(t.herder.store.get('a')!.topics).to.deep.equal([]);
    });

    it('GET answers 403 when the herder forbids it', async () => {
      const { ForbiddenError } = await import('../errors.js');
      t.herder.connectorActiveTopics = async () => {
        throw new ForbiddenError('Topic tracking is disabled.');
      };
      const res = await call(t.base, 'GET', '/connectors/a/topics');
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error_code: 403, message: 'Topic tracking is disabled.' });
    });
  });
});
