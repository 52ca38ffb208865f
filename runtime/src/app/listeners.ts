// `listeners=http://host:port,https://host:port` as Kafka writes them; an
// empty host means all interfaces. Also `admin.listeners` (Kafka: unset = the
// admin endpoints are on the regular listeners, empty = no admin endpoints)
// and Sluice's `health.listeners` (a plain port for probes and Prometheus).
import { ConfigError } from '../sdk/index.js';

export interface Listener {
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

export function parseListener(listener: string, key = 'listeners'): Listener {
  const m = /^(https?):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/i.exec(listener.trim());
  if (!m) throw new ConfigError(key, `"${listener}" is not a listener URL like http://:8083 or https://:8443`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(key, `"${listener}": port ${port} is out of range`);
  return {
    protocol: m[1]!.toLowerCase() as 'http' | 'https',
    host: m[2] === '' ? '0.0.0.0' : m[2]!.replace(/^\[|\]$/g, ''),
    port,
  };
}

export function parseListeners(list: readonly string[], key: string): Listener[] {
  const out = list.filter((l) => l.trim() !== '').map((l) => parseListener(l, key));
  const seen = new Set<string>();
  for (const l of out) {
    const id = `${l.host}:${l.port}`;
    if (l.port !== 0 && seen.has(id)) throw new ConfigError(key, `two listeners on ${id}`);
    seen.add(id);
  }
  return out;
}

/** Where each group of endpoints is served (Kafka's listeners / admin.listeners, plus health.listeners). */
export interface ListenerPlan {
  readonly main: Listener[];
  /** undefined: the admin endpoints stay on the main listeners; [] disables them */
  readonly admin: Listener[] | undefined;
  readonly health: Listener[];
}

export function listenerPlan(values: Readonly<Record<string, unknown>>): ListenerPlan {
  const main = parseListeners((values['listeners'] as string[] | undefined) ?? ['http://:8083'], 'listeners');
  if (main.length === 0) throw new ConfigError('listeners', 'at least one listener URL is needed, e.g. http://:8083');
  const adminRaw = values['admin.listeners'] as string[] | null | undefined;
  const admin = adminRaw === null || adminRaw === undefined ? undefined : parseListeners(adminRaw, 'admin.listeners');
  const health = parseListeners((values['health.listeners'] as string[] | undefined) ?? [], 'health.listeners');
  for (const h of health)
    if (h.protocol !== 'http')
      throw new ConfigError('health.listeners', 'the health listener is plain http (probes and Prometheus)');
  return { main, admin, health };
}
