import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { ConnectApiError, ErrorCodes, ForeignSecretsError, OperatorError, codeOf, isRetriable } from './errors.js';

describe('operator/errors', () => {
  const cases: Array<[string, ConnectApiError, string, boolean]> = [
    [
      'no answer in time',
      new ConnectApiError(0, 'GET', '/x', 'slow', { timedOut: true }),
      ErrorCodes.CONNECT_TIMEOUT,
      true,
    ],
    ['connection refused', new ConnectApiError(0, 'GET', '/x', 'ECONNREFUSED'), ErrorCodes.CONNECT_UNREACHABLE, true],
    [
      '409 rebalance',
      new ConnectApiError(409, 'POST', '/connectors', 'rebalance'),
      ErrorCodes.CONNECT_REBALANCING,
      true,
    ],
    ['500', new ConnectApiError(500, 'GET', '/x', 'boom'), ErrorCodes.CONNECT_SERVER_ERROR, true],
    ['503', new ConnectApiError(503, 'GET', '/x', 'unavailable'), ErrorCodes.CONNECT_SERVER_ERROR, true],
    ['400 invalid config', new ConnectApiError(400, 'PUT', '/x', 'bad'), ErrorCodes.CONNECT_REJECTED, false],
    ['404', new ConnectApiError(404, 'GET', '/x', 'none'), ErrorCodes.CONNECT_REJECTED, false],
    [
      '2xx with a broken body',
      new ConnectApiError(200, 'GET', '/x', 'not JSON'),
      ErrorCodes.CONNECT_BAD_RESPONSE,
      false,
    ],
  ];
  for (const [what, err, code, retriable] of cases) {
    it(`${what}: ${code}, ${retriable ? '' : 'not '}retriable`, () => {
      expect(err).to.be.instanceOf(OperatorError);
      expect(err.code).to.equal(code);
      expect(err.retriable).to.equal(retriable);
      expect(isRetriable(err)).to.equal(retriable);
      expect(codeOf(err)).to.equal(code);
    });
  }

  it('keeps method, path and status in the message and the worker message in detail', () => {
    const err = new ConnectApiError(400, 'PUT', '/connectors/a/config', 'Connector configuration is invalid');
    expect(err.message).to.equal('PUT /connectors/a/config: 400 Connector configuration is invalid');
    expect(err.detail).to.equal('Connector configuration is invalid');
    expect(new ConnectApiError(0, 'GET', '/health', 'ECONNREFUSED').detail).to.equal('ECONNREFUSED');
  });

  it('names the Secrets it leaves alone, for good: not retriable', () => {
    const err = new ForeignSecretsError(['Secret a already exists', 'Secret b already exists']);
    expect(err).to.be.instanceOf(OperatorError);
    expect(codeOf(err)).to.equal(ErrorCodes.REST_TLS_FOREIGN_SECRETS);
    expect(isRetriable(err)).to.equal(false);
    expect(err.message).to.equal('Secret a already exists; Secret b already exists');
  });

  it('classifies Kubernetes API errors by status, and never retries programming errors', () => {
    expect(isRetriable(new k8s.ApiException(503, 'x', {}, {}))).to.equal(true);
    expect(isRetriable(new k8s.ApiException(429, 'x', {}, {}))).to.equal(true);
    expect(isRetriable(new k8s.ApiException(409, 'x', {}, {}))).to.equal(true);
    expect(isRetriable(new k8s.ApiException(422, 'x', {}, {}))).to.equal(false);
    expect(isRetriable(new TypeError('undefined is not a function'))).to.equal(false);
    expect(codeOf(new k8s.ApiException(422, 'x', {}, {}))).to.equal('KUBE_422');
    expect(codeOf(new Error('x'))).to.equal('UNKNOWN');
  });
});
