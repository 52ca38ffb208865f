import { expect } from 'chai';
import { plugins } from './index.js';

describe('converter plugin descriptors', () => {
  it('register the Apache class names with simple-name aliases', () => {
    const json = plugins.find(
      (p) => p.class === 'org.apache.kafka.connect.json.JsonConverter' && p.type === 'converter',
    );
    expect(json?.aliases).to.deep.equal(['JsonConverter', 'Json']);
    expect(json?.version).to.equal('0.1.0');
    const simple = plugins.find((p) => p.class === 'org.apache.kafka.connect.storage.SimpleHeaderConverter');
    expect(simple?.type).to.equal('header_converter');
    expect(simple?.aliases).to.deep.equal(['SimpleHeaderConverter', 'Simple']);
  });

  it('list every converter as both a converter and a header converter, except SimpleHeaderConverter', () => {
    const classes = [
      'org.apache.kafka.connect.json.JsonConverter',
      'org.apache.kafka.connect.storage.StringConverter',
      'org.apache.kafka.connect.converters.ByteArrayConverter',
      'org.apache.kafka.connect.converters.BooleanConverter',
      'org.apache.kafka.connect.converters.ShortConverter',
      'org.apache.kafka.connect.converters.IntegerConverter',
      'org.apache.kafka.connect.converters.LongConverter',
      'org.apache.kafka.connect.converters.FloatConverter',
      'org.apache.kafka.connect.converters.DoubleConverter',
    ];
    for (const cls of classes) {
      const types = plugins.filter((p) => p.class === cls).map((p) => p.type);
      expect(types, cls).to.deep.equal(['converter', 'header_converter']);
    }
  });

  it('create working instances', () => {
    for (const p of plugins) {
      if (p.type !== 'converter' && p.type !== 'header_converter') continue;
      const instance = new p.create();
      expect(instance, p.class).to.have.property('configure');
      expect(instance.config?.().keys(), p.class).to.be.an('array');
    }
  });
});
