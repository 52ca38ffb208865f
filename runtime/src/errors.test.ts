import { expect } from 'chai';
import * as errors from './errors.js';

describe('runtime errors', () => {
  const samples: Record<string, Error & { code?: string; status?: number }> = {
    NotFoundError: new errors.NotFoundError('x'),
    AlreadyExistsError: new errors.AlreadyExistsError('x'),
    BadRequestError: new errors.BadRequestError('x'),
    RebalanceInProgressError: new errors.RebalanceInProgressError('x'),
    ForbiddenError: new errors.ForbiddenError('x'),
    NotReadyError: new errors.NotReadyError('x'),
    StoreUnavailableError: new errors.StoreUnavailableError('x'),
    RestError: new errors.RestError(415, 'x'),
    ToleranceExceededError: new errors.ToleranceExceededError('VALUE_CONVERTER', new Error('x')),
    StoppedDuringOutageError: new errors.StoppedDuringOutageError('send', new Error('x')),
    ProducerFencedError: new errors.ProducerFencedError({ connector: 'c', task: 0 }, 'g-c-0', new Error('x')),
    SchemaError: new errors.SchemaError('x'),
  };

  it('covers every error class the module exports', () => {
    const classes = Object.entries(errors)
      .filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error)
      .map(([name]) => name)
      .filter((name) => name !== 'HerderError');
    expect(Object.keys(samples).sort()).to.deep.equal(classes.sort());
  });

  it('gives each a distinct, stable code', () => {
    const codes = Object.values(samples).map((e) => e.code);
    for (const code of codes) expect(code).to.match(/^[A-Z][A-Z_]+$/);
    expect(new Set(codes).size).to.equal(codes.length);
  });

  it('keeps the HTTP status REST maps them to', () => {
    expect(samples['NotFoundError']!.status).to.equal(404);
    expect(samples['RebalanceInProgressError']!.status).to.equal(409);
    expect(samples['NotReadyError']!.status).to.equal(503);
    expect(samples['StoreUnavailableError']!.status).to.equal(503);
    expect(errors.connectorNotFound('orders').message).to.equal('Connector orders not found');
  });

  it('names the worker errors as Apache Connect traces do', () => {
    expect(samples['ToleranceExceededError']!.name).to.equal('ConnectException');
    expect(samples['ProducerFencedError']!.name).to.equal('ProducerFencedException');
    expect(samples['ProducerFencedError']!.message).to.include('Task c-0 was fenced out');
  });
});
