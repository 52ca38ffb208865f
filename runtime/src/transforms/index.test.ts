import { expect } from 'chai';
import { plugins } from './index.js';

describe('transform plugin descriptors', () => {
  it('name every class by its Apache class name and simple alias', () => {
    for (const p of plugins) {
      const prefix =
        p.type === 'predicate'
          ? 'org.apache.kafka.connect.transforms.predicates.'
          : 'org.apache.kafka.connect.transforms.';
      expect(p.class).to.equal(prefix + p.aliases![0]);
      expect(p.version).to.equal('0.1.0');
    }
    expect(new Set(plugins.map((p) => p.class)).size).to.equal(plugins.length);
  });

  it('cover the built-in transforms and predicates', () => {
    const names = plugins.map((p) => p.aliases![0]);
    expect(names).to.include.members(['Cast$Key', 'Cast$Value', 'HeaderFrom$Value', 'Filter', 'TimestampRouter']);
    expect(plugins.filter((p) => p.type === 'predicate').map((p) => p.aliases![0])).to.deep.equal([
      'TopicNameMatches',
      'HasHeaderKey',
      'RecordIsTombstone',
    ]);
    expect(plugins).to.have.length(29);
  });

  it('create instances that expose a config definition', () => {
    for (const p of plugins) {
      if (p.type !== 'transformation' && p.type !== 'predicate') continue;
      const instance = new p.create();
      expect(instance.config().keys()).to.be.an('array');
    }
  });
});
