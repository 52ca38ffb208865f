import { expect } from 'chai';
import { registerSecret } from '../util/secret-mask.js';
import { ConfigError, ConnectError, DataError } from '../sdk/errors.js';
import { toErrorResponse } from './http-errors.js';
import {
  AlreadyExistsError,
  BadRequestError,
  ForbiddenError,
  HerderError,
  NotFoundError,
  NotReadyError,
  RestError,
} from '../errors.js';

describe('REST error mapping', () => {
  const cases: Array<[string, unknown, number]> = [
    ['NotFoundError', new NotFoundError('x'), 404],
    ['AlreadyExistsError', new AlreadyExistsError('x'), 409],
    ['BadRequestError', new BadRequestError('x'), 400],
    ['ForbiddenError', new ForbiddenError('x'), 403],
    ['NotReadyError', new NotReadyError('x'), 503],
    ['a plain HerderError', new HerderError('x'), 500],
    ['ConfigError', new ConfigError(undefined, 'x'), 400],
    ['DataError', new DataError('x'), 400],
    ['ConnectError', new ConnectError('x'), 500],
    ['RestError', new RestError(413, 'x'), 413],
    ['Error', new Error('x'), 500],
  ];
  for (const [label, err, status] of cases) {
    it(`maps ${label} to ${status} with an error_code body`, () => {
      const res = toErrorResponse(err);
      expect(res.status).to.equal(status);
      expect(res.body).to.deep.equal({ error_code: status, message: 'x' });
    });
  }

  it('falls back to the status text for an empty message', () => {
    expect(toErrorResponse(new Error('')).body.message).to.equal('Error');
  });

  it('masks resolved secrets in error messages', () => {
    registerSecret('rest-secret-8086');
    expect(toErrorResponse(new Error('open /x/rest-secret-8086 failed')).body.message).to.equal(
      'open /x/[hidden] failed',
    );
  });
});
