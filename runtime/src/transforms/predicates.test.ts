import { expect } from 'chai';
import { ConfigError } from '../sdk/index.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates.js';
import { sourceRecord } from './records.test-support.js';

describe('TopicNameMatches', () => {
  const matches = (pattern: string, topic: string): boolean => {
    const p = new TopicNameMatches();
    p.configure({ pattern });
    return p.test(sourceRecord({ topic }));
  };

  it('matches when the regex matches the whole topic name', () => {
    expect(matches('orders-.*', 'orders-eu')).to.equal(true);
  });

  it('does not match a topic that only contains a match', () => {
    expect(matches('orders', 'orders-eu')).to.equal(false);
    expect(matches('a|ab', 'ab')).to.equal(true);
  });

  it('honours embedded flags', () => {
    expect(matches('(?i)ORDERS', 'orders')).to.equal(true);
  });

  it('rejects a missing, empty or invalid pattern', () => {
    expect(() => new TopicNameMatches().configure({})).to.throw(ConfigError);
    expect(() => new TopicNameMatches().configure({ pattern: '' })).to.throw(ConfigError);
    expect(() => new TopicNameMatches().configure({ pattern: '[a' })).to.throw(ConfigError);
  });
});

describe('HasHeaderKey', () => {
  it('is true only when a header with the name exists', () => {
    const p = new HasHeaderKey();
    p.configure({ name: 'trace' });
    expect(p.test(sourceRecord({ headers: [{ key: 'trace', value: null }] }))).to.equal(true);
    expect(p.test(sourceRecord({ headers: [{ key: 'other', value: 1 }] }))).to.equal(false);
    expect(p.test(sourceRecord({ headers: undefined }))).to.equal(false);
  });

  it('requires a name', () => {
    expect(() => new HasHeaderKey().configure({})).to.throw(ConfigError);
  });
});

describe('RecordIsTombstone', () => {
  it('is true only for records with a null value', () => {
    const p = new RecordIsTombstone();
    p.configure({});
    expect(p.test(sourceRecord({ value: null }))).to.equal(true);
    expect(p.test(sourceRecord({}))).to.equal(true);
    expect(p.test(sourceRecord({ value: 0 }))).to.equal(false);
  });
});
