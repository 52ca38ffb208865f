// A fetch for worker-to-worker REST calls over https (a task restart sent to
// the worker that runs the task): the worker presents its own certificate
// (the listener's keystore) and trusts the listener's truststore, as Kafka
// Connect's RestClient does with the `listeners.https.` settings.
import { request } from 'node:https';
import type { SecureContextOptions } from 'node:tls';

/** Only what the herder uses: method, body, signal; the answer as a Response. */
export function tlsFetch(material: () => SecureContextOptions, verifyHostname: boolean): typeof fetch {
  return ((input: string | URL, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(String(input));
      const m = material();
      const body = typeof init.body === 'string' ? init.body : undefined;
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(m.key ? { key: m.key, cert: m.cert } : {}),
          ...(m.pfx ? { pfx: m.pfx } : {}),
          ...(m.passphrase !== undefined ? { passphrase: m.passphrase } : {}),
          ...(m.ca ? { ca: m.ca } : {}),
          minVersion: m.minVersion,
          maxVersion: m.maxVersion,
          rejectUnauthorized: true,
          ...(verifyHostname ? {} : { checkServerIdentity: () => undefined }),
          agent: false,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 500;
            const nullBody = status === 204 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    })) as typeof fetch;
}
