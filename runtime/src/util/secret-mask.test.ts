import { expect } from 'chai';
import { Writable } from 'node:stream';
import { LogRegistry } from '../util/logging.js';
import { MASK, maskDeep, maskSecrets, registerInlinePasswords, registerSecret } from './secret-mask.js';

describe('secret masking', () => {
  it('masks every registered value, the longest first, and leaves short values alone', () => {
    registerSecret('mask-test-abc');
    registerSecret('mask-test-abc-longer');
    registerSecret('ab');
    expect(maskSecrets('x mask-test-abc-longer y mask-test-abc z ab')).to.equal(`x ${MASK} y ${MASK} z ab`);
  });

  it('masks the lines of a multi-line secret (a PEM key cut in a trace)', () => {
    registerSecret('-----BEGIN KEY-----\nMIIEvQmaskTestLine1\nMIIEvQmaskTestLine2\n-----END KEY-----');
    expect(maskSecrets('bad key near MIIEvQmaskTestLine2')).to.equal(`bad key near ${MASK}`);
  });

  it('masks strings deep in objects and errors', () => {
    registerSecret('deep-secret-123');
    expect(maskDeep({ a: ['deep-secret-123'], b: { c: 'x deep-secret-123' }, n: 1 })).to.deep.equal({
      a: [MASK],
      b: { c: `x ${MASK}` },
      n: 1,
    });
    expect(maskDeep({ e: new Error('open deep-secret-123 failed') })['e']).to.include(`open ${MASK} failed`);
  });

  it('registers inline worker passwords (sasl.jaas.config, *.password)', () => {
    registerInlinePasswords({
      'sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="jaas-pw-9";',
      'producer.ssl.key.password': 'key-pw-77',
    });
    expect(maskSecrets('jaas-pw-9 key-pw-77')).to.equal(`${MASK} ${MASK}`);
  });

  it('keeps registered secrets out of log lines, messages and fields alike', () => {
    registerSecret('log-secret-456');
    let out = '';
    const stream = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = new LogRegistry('INFO', stream).logger('test', { path: '/a/log-secret-456' });
    log.error('cannot open log-secret-456', { error: new Error('ENOENT log-secret-456') });
    expect(out).to.include('cannot open [hidden]');
    expect(out).not.to.include('log-secret-456');
  });
});
