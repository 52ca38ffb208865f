// PUT .../config/validate's connection step (validateConnectorConfigOnline):
// a connector's validateConnection adds its errors to the result, a throw is
// reported on the connector's first key, a check that never finishes is cut
// off by the timeout, and create/update's offline validation never calls it.
import { expect } from 'chai';
import { builtinPlugins } from '../app/plugins.js';
import { ConfigDef, type ConfigValue, type SourceConnector, type SourceTask } from '../sdk/index.js';
import { validateConnectorConfig, validateConnectorConfigOnline } from './validation.js';

let calls = 0;
let behaviour: 'ok' | 'error' | 'throw' | 'hang' = 'ok';

class CheckingSource implements SourceConnector {
  readonly type = 'source';
  version(): string {
    return '1';
  }
  config(): ConfigDef {
    return new ConfigDef()
      .define({ name: 'host', type: 'STRING', importance: 'HIGH', documentation: '' })
      .define({ name: 'other', type: 'STRING', defaultValue: 'x', importance: 'LOW', documentation: '' });
  }
  async validateConnection(props: Record<string, string>, values: ConfigValue[]): Promise<void> {
    calls++;
    if (behaviour === 'error') values.find((v) => v.name === 'host')!.errors.push(`cannot reach ${props.host}`);
    if (behaviour === 'throw') throw new Error('boom');
    if (behaviour === 'hang') await new Promise(() => undefined);
  }
  start(): void {}
  taskConfigs(): Array<Record<string, string>> {
    return [{}];
  }
  stop(): void {}
  taskClass(): new () => SourceTask {
    throw new Error('not used');
  }
}

function plugins() {
  const registry = builtinPlugins();
  registry.add({ type: 'source', class: 'com.example.CheckingSource', version: '1', create: CheckingSource });
  return registry;
}

const config = { name: 'c', 'connector.class': 'com.example.CheckingSource', host: 'db.example' };
const errorsOn = (infos: { configs: Array<{ value: { name: string; errors: string[] } }> }, key: string) =>
  infos.configs.find((c) => c.value.name === key)!.value.errors;

describe('config/validate: the connector connection check', () => {
  beforeEach(() => {
    calls = 0;
    behaviour = 'ok';
  });

  it('adds the errors validateConnection reports, counted in error_count', async () => {
    behaviour = 'error';
    const infos = await validateConnectorConfigOnline(config, plugins());
    expect(errorsOn(infos, 'host')).to.deep.equal(['cannot reach db.example']);
    expect(infos.error_count).to.equal(1);
  });

  it('reports a throwing check on the first key instead of failing the request', async () => {
    behaviour = 'throw';
    const infos = await validateConnectorConfigOnline(config, plugins());
    expect(errorsOn(infos, 'host')).to.deep.equal(['Error while validating connector config: boom']);
  });

  it('cuts off a check that never finishes', async () => {
    behaviour = 'hang';
    const infos = await validateConnectorConfigOnline(config, plugins(), undefined, 50);
    expect(errorsOn(infos, 'host')[0]).to.match(/did not finish within 50 ms/);
  });

  it('is not part of the offline validation that create and update use', () => {
    behaviour = 'error';
    expect(validateConnectorConfig(config, plugins()).error_count).to.equal(0);
    expect(calls).to.equal(0);
  });
});
