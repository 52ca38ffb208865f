// One HTTP attempt of the sink: sends a body and turns whatever happens
// (an answer, a timeout, a dropped connection) into an Outcome. Connections
// are kept alive between requests; TLS trusts the configured CA.
import http from 'node:http';
import https from 'node:https';
import { classify, type Outcome } from './retry-policy.js';

/** How much of a refusing answer's body is kept (it goes into DLQ headers and errors). */
export const BODY_LIMIT = 4096;

export interface HttpClientOptions {
  readonly url: URL;
  readonly method: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** PEM CA certificates for https; undefined: the system CAs */
  readonly ca?: string;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(private readonly opts: HttpClientOptions) {
    this.secure = opts.url.protocol === 'https:';
    this.agent = this.secure
      ? new https.Agent({ keepAlive: true, maxSockets: 4, ...(opts.ca ? { ca: opts.ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  /** Sends `body` once; never throws (an aborted send is a retry outcome the caller drops). */
  send(body: Buffer, signal?: AbortSignal): Promise<Outcome> {
    const { url, method, headers, timeoutMs } = this.opts;
    const request = this.secure ? https.request : http.request;
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const req = request(url, {
        method,
        agent: this.agent,
        headers: {
          'content-type': 'application/json',
          ...headers,
          'content-length': String(body.length),
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ kind: 'retry', reason: `no answer within request.timeout.ms=${timeoutMs}` });
      }, timeoutMs);
      const onAbort = () => {
        req.destroy();
        finish({ kind: 'retry', reason: 'stopped' });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish({ kind: 'retry', reason: `${err.code ?? 'network error'}: ${err.message}` }),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(c);
          size += c.length;
        });
        res.on('error', (err) => finish({ kind: 'retry', reason: `answer cut off: ${err.message}` }));
        res.on('aborted', () => finish({ kind: 'retry', reason: 'answer cut off' }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8');
          const retryAfter = res.headers['retry-after'];
          finish(
            classify(res.statusCode ?? 0, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()),
          );
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
