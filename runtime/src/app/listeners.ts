// `listeners=http://host:port` as Kafka writes it; an empty host means all interfaces.
import { ConfigError } from '../sdk/index.js';

export function parseListener(listener: string): { host: string; port: number } {
  const m = /^(https?):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/.exec(listener.trim());
  if (!m) throw new ConfigError('listeners', `"${listener}" is not a listener URL like http://:8083`);
  if (m[1] !== 'http')
    throw new ConfigError('listeners', 'only http listeners are supported; terminate TLS in front of the worker');
  return { host: m[2] === '' ? '0.0.0.0' : m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) };
}
