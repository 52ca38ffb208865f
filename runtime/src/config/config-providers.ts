// Config providers: `${alias:path:key}` placeholders in connector configs are
// resolved when tasks start, so secrets stay out of the stored config, the
// REST output and the logs. Built in, under Kafka's class names:
//   FileConfigProvider      ${file:/etc/secret.properties:password}
//   DirectoryConfigProvider ${dir:/mnt/secret:password}   (file per key)
//   EnvVarConfigProvider    ${env:DB_PASSWORD}
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../sdk/index.js';
import { parseProperties } from '../util/properties.js';
import { withPrefix } from './worker-config.js';

type Provider = (path: string, key: string) => string | undefined;

const PROVIDERS: Record<string, () => Provider> = {
  'org.apache.kafka.common.config.provider.FileConfigProvider': () => (file, key) =>
    parseProperties(readFileSync(file, 'utf8'))[key],
  'org.apache.kafka.common.config.provider.DirectoryConfigProvider': () => (dir, key) => {
    const file = path.join(dir, key);
    if (path.dirname(file) !== path.resolve(dir)) return undefined; // no escaping the directory
    return readFileSync(file, 'utf8');
  },
  'org.apache.kafka.common.config.provider.EnvVarConfigProvider': () => (_path, key) => process.env[key],
};

const PLACEHOLDER = /\$\{([^}:]+):(?:([^}]*):)?([^}:]+)\}/g;

export class ConfigProviders {
  private readonly providers = new Map<string, Provider>();

  /** From worker keys `config.providers=a,b` and `config.providers.a.class=...`. */
  constructor(workerRaw: Readonly<Record<string, string>>) {
    const aliases = (workerRaw['config.providers'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const settings = withPrefix(workerRaw, 'config.providers.');
    for (const alias of aliases) {
      const cls = settings[`${alias}.class`];
      const factory = cls ? PROVIDERS[cls] : undefined;
      if (!factory)
        throw new ConfigError(`config.providers.${alias}.class`, `unknown config provider class "${cls ?? ''}"`);
      this.providers.set(alias, factory());
    }
  }

  /** A copy of `config` with every placeholder of a configured provider replaced. */
  resolve(config: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      out[key] = value.replace(PLACEHOLDER, (whole, alias: string, p: string | undefined, k: string) => {
        const provider = this.providers.get(alias);
        if (!provider) return whole;
        try {
          const resolved = provider(p ?? '', k);
          return resolved ?? whole;
        } catch (err) {
          throw new ConfigError(key, `config provider "${alias}" failed: ${(err as Error).message}`);
        }
      });
    }
    return out;
  }
}
