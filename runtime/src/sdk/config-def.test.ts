import { expect } from 'chai';
import { ConfigDef } from './config-def.js';
import { ConfigError } from './errors.js';

describe('ConfigDef.validateWithParser', () => {
  const def = () =>
    new ConfigDef()
      .define({ name: 'a', type: 'INT', importance: 'HIGH', documentation: 'a number' })
      .define({ name: 'b', type: 'STRING', importance: 'LOW', documentation: 'a word', defaultValue: '' });
  const errorsOf = (values: { name: string; errors: string[] }[]) =>
    Object.fromEntries(values.map((v) => [v.name, v.errors]));

  it('reports the parser’s ConfigError on the key it names', () => {
    const values = def().validateWithParser({ a: '1' }, () => {
      throw new ConfigError('b', 'needed when a is 1');
    });
    expect(errorsOf(values)).to.deep.equal({ a: [], b: ['Invalid value for configuration b: needed when a is 1'] });
  });

  it('reports a ConfigError naming no key on the first key', () => {
    const values = def().validateWithParser({ a: '1' }, () => {
      throw new ConfigError(undefined, 'a and b disagree');
    });
    expect(errorsOf(values)).to.deep.equal({ a: ['a and b disagree'], b: [] });
  });

  it('does not run the parser while a key is invalid on its own', () => {
    let ran = false;
    const values = def().validateWithParser({ a: 'x' }, () => (ran = true));
    expect(ran).to.equal(false);
    expect(errorsOf(values)['a']).to.have.length(1);
  });

  it('lets errors other than ConfigError through (a bug, not bad input)', () => {
    expect(() =>
      def().validateWithParser({ a: '1' }, () => {
        throw new TypeError('boom');
      }),
    ).to.throw(TypeError);
  });
});
