// A fetch over https with a client certificate, for the operator's Connect
// client (Node's global fetch cannot present one without an extra
// dispatcher library). Only what the client uses: method, headers, body,
// signal; the answer as a standard Response.
import { Agent, request } from 'node:https';

export interface ClientMaterial {
  /** PEM CA bundle the server certificate must chain to */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function tlsFetch(material: () => Promise<ClientMaterial> | ClientMaterial): typeof fetch {
  // Connections are kept alive per material: a renewed certificate gets a new pool.
  let pool: { m: ClientMaterial; agent: Agent } | undefined;
  const agentFor = (m: ClientMaterial) => {
    if (pool?.m.cert !== m.cert || pool.m.ca !== m.ca || pool.m.key !== m.key) {
      pool = {
        m,
        agent: new Agent({ keepAlive: true, maxSockets: 8, ca: m.ca, cert: m.cert, key: m.key, minVersion: 'TLSv1.2' }),
      };
    }
    return pool.agent;
  };
  return (async (input: string | URL, init: RequestInit = {}) => {
    const m = await material();
    const agent = agentFor(m);
    init.signal?.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const body = typeof init.body === 'string' ? init.body : undefined;
      const req = request(
        new URL(String(input)),
        {
          method: init.method ?? 'GET',
          headers: (init.headers ?? {}) as Record<string, string>,
          agent,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 500;
            const noBody = status === 204 || status === 304 || init.method === 'HEAD';
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }) as typeof fetch;
}
