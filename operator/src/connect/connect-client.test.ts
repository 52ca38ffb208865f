import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes } from '../errors.js';
import { ConnectApiError, createConnectClient, withConnectRetry } from './connect-client.js';

/** A local HTTP server answering each request with `handler` (or never, if it returns false). */
async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse) => boolean | void) {
  const s = http.createServer((req, res) => {
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    url,
    close: () => {
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    },
  };
}

const fail = (err: unknown) => err as ConnectApiError;

describe('connect/connect-client errors against a real HTTP server', () => {
  it('a 5xx is CONNECT_SERVER_ERROR with the worker message; retried, it succeeds once the worker recovers', async () => {
    let calls = 0;
    const s = await server((_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 500 : 200, { 'content-type': 'application/json' });
      res.end(calls < 3 ? JSON.stringify({ error_code: 500, message: 'store unavailable' }) : '["a"]');
    });
    try {
      const client = createConnectClient(s.url);
      const err = fail(await client.connectors().catch((e: unknown) => e));
      expect(err.code).to.equal(ErrorCodes.CONNECT_SERVER_ERROR);
      expect(err.status).to.equal(500);
      expect(err.detail).to.equal('store unavailable');
      expect(await withConnectRetry(() => client.connectors(), { initialMs: 1 })).to.deep.equal(['a']);
      expect(calls).to.equal(3);
    } finally {
      await s.close();
    }
  });

  it('a 400 is CONNECT_REJECTED and tried once', async () => {
    let calls = 0;
    const s = await server((_req, res) => {
      calls++;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 400, message: 'Connector configuration is invalid' }));
    });
    try {
      const client = createConnectClient(s.url);
      const err = fail(await withConnectRetry(() => client.putConnectorConfig('a', {})).catch((e: unknown) => e));
      expect(err.code).to.equal(ErrorCodes.CONNECT_REJECTED);
      expect(err.retriable).to.equal(false);
      expect(calls).to.equal(1);
    } finally {
      await s.close();
    }
  });

  it('a worker that never answers is CONNECT_TIMEOUT after the per-request timeout, not retried in the pass', async () => {
    let calls = 0;
    const s = await server(() => {
      calls++;
      return false; // hang
    });
    try {
      const client = createConnectClient(s.url, { timeoutMs: 300 });
      const err = fail(await withConnectRetry(() => client.connectorStatus('a')).catch((e: unknown) => e));
      expect(err.code).to.equal(ErrorCodes.CONNECT_TIMEOUT);
      expect(err.message).to.contain('no answer within 300 ms');
      expect(calls).to.equal(1);
      expect(await client.health()).to.equal(false);
    } finally {
      await s.close();
    }
  });

  it('a refused connection is CONNECT_UNREACHABLE', async () => {
    const s = await server(() => undefined);
    const url = s.url;
    await s.close();
    const err = fail(
      await createConnectClient(url)
        .connectors()
        .catch((e: unknown) => e),
    );
    expect(err.code).to.equal(ErrorCodes.CONNECT_UNREACHABLE);
    expect(err.retriable).to.equal(true);
  });

  it('a 2xx answer that is not JSON is CONNECT_BAD_RESPONSE', async () => {
    const s = await server((_req, res) => void res.end('<html>proxy</html>'));
    try {
      const err = fail(
        await createConnectClient(s.url)
          .connectors()
          .catch((e: unknown) => e),
      );
      expect(err.code).to.equal(ErrorCodes.CONNECT_BAD_RESPONSE);
    } finally {
      await s.close();
    }
  });
});
