// Config definitions, as in Kafka's ConfigDef: they parse connector, task,
// transform and converter configs, and feed the REST endpoints
// `/connector-plugins/{p}/config` and `/connector-plugins/{p}/config/validate`.
import { ConfigError } from './errors.js';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** Throws ConfigError when `value` (already parsed) is not acceptable. */
export type Validator = (name: string, value: unknown) => void;

/** Marks a key that has no default, i.e. is required. */
export const NO_DEFAULT: unique symbol = Symbol('NO_DEFAULT');

export interface ConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  readonly defaultValue?: unknown;
  readonly importance: Importance;
  readonly documentation: string;
  readonly validator?: Validator;
  readonly group?: string;
  readonly orderInGroup?: number;
  readonly width?: Width;
  readonly displayName?: string;
  readonly dependents?: readonly string[];
}

/** The result of validating one key (Kafka's ConfigValue). */
export interface ConfigValue {
  name: string;
  value: unknown;
  recommendedValues: unknown[];
  errors: string[];
  visible: boolean;
}

export type RawConfig = Readonly<Record<string, string | undefined>>;

export class ConfigDef {
  private readonly defined = new Map<string, ConfigKey>();

  define(key: ConfigKey): this {
    if (this.defined.has(key.name)) throw new ConfigError(key.name, 'defined twice');
    this.defined.set(key.name, key);
    return this;
  }

  /** Adds every key of `other` (used to stack a connector's keys on the framework's). */
  include(other: ConfigDef): this {
    for (const key of other.keys()) if (!this.defined.has(key.name)) this.define(key);
    return this;
  }

  keys(): ConfigKey[] {
    return [...this.defined.values()];
  }

  key(name: string): ConfigKey | undefined {
    return this.defined.get(name);
  }

  /** Parses every defined key; throws ConfigError on the first problem. */
  parse(props: RawConfig): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.defined.values()) out[key.name] = parseKey(key, props[key.name]);
    return out;
  }

  /** Validates every defined key and reports all problems, never throwing. */
  validate(props: RawConfig): ConfigValue[] {
    return this.keys().map((key) => {
      const result: ConfigValue = {
        name: key.name,
        value: props[key.name] ?? null,
        recommendedValues: [],
        errors: [],
        visible: true,
      };
      try {
        const parsed = parseKey(key, props[key.name]);
        result.value =
          key.type === 'PASSWORD' && parsed != null ? '[hidden]' : (props[key.name] ?? defaultAsString(key));
      } catch (err) {
        result.errors.push(err instanceof Error ? err.message : String(err));
      }
      return result;
    });
  }

  /**
   * validate(), then, when every key is valid on its own, the connector's parser for the checks that
   * span keys (include and exclude lists, credentials for an auth type): the ConfigError it throws is
   * reported on the key it names, else on the first key.
   */
  validateWithParser(props: RawConfig, parse: (props: RawConfig) => unknown): ConfigValue[] {
    const values = this.validate(props);
    if (values.some((v) => v.errors.length > 0)) return values;
    try {
      parse(props);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      (values.find((v) => v.name === err.key) ?? values[0])?.errors.push(err.message);
    }
    return values;
  }
}

function defaultAsString(key: ConfigKey): string | null {
  if (key.defaultValue === NO_DEFAULT || key.defaultValue === undefined || key.defaultValue === null) return null;
  if (Array.isArray(key.defaultValue)) return key.defaultValue.join(',');
  return String(key.defaultValue);
}

function parseKey(key: ConfigKey, raw: string | undefined): unknown {
  let value: unknown;
  if (raw === undefined || raw === null) {
    if (key.defaultValue === NO_DEFAULT || key.defaultValue === undefined) {
      throw new ConfigError(key.name, `Missing required configuration "${key.name}" which has no default value.`);
    }
    value = key.defaultValue;
  } else {
    value = parseType(key.name, key.type, raw);
  }
  key.validator?.(key.name, value);
  return value;
}

export function parseType(name: string, type: ConfigType, raw: string): unknown {
  const trimmed = type === 'PASSWORD' ? raw : raw.trim();
  switch (type) {
    case 'BOOLEAN':
      if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
      throw new ConfigError(name, `Value "${raw}" must be either true or false`);
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return trimmed;
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^[-+]?\d+$/.test(trimmed)) throw new ConfigError(name, `Value "${raw}" is not a number`);
      const n = Number(trimmed);
      const limit = type === 'SHORT' ? 2 ** 15 : type === 'INT' ? 2 ** 31 : 2 ** 63;
      if (n < -limit || n >= limit) throw new ConfigError(name, `Value "${raw}" is out of range for ${type}`);
      return n;
    }
    case 'DOUBLE': {
      const n = Number(trimmed);
      if (trimmed === '' || Number.isNaN(n)) throw new ConfigError(name, `Value "${raw}" is not a number`);
      return n;
    }
    case 'LIST':
      return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
  }
}

/** Common validators. */
export const Validators = {
  atLeast:
    (min: number): Validator =>
    (name, value) => {
      if (typeof value === 'number' && value < min) throw new ConfigError(name, `Value must be at least ${min}`);
    },
  between:
    (min: number, max: number): Validator =>
    (name, value) => {
      if (typeof value === 'number' && (value < min || value > max))
        throw new ConfigError(name, `Value must be between ${min} and ${max}`);
    },
  oneOf:
    (...allowed: string[]): Validator =>
    (name, value) => {
      if (value != null && !allowed.some((a) => a.toLowerCase() === String(value).toLowerCase()))
        throw new ConfigError(name, `String must be one of: ${allowed.join(', ')}`);
    },
  nonEmptyString: (): Validator => (name, value) => {
    if (typeof value === 'string' && value.trim() === '') throw new ConfigError(name, 'String may not be empty');
  },
  regex: (): Validator => (name, value) => {
    if (typeof value !== 'string') return;
    try {
      new RegExp(value);
    } catch (err) {
      throw new ConfigError(name, `Invalid regular expression: ${(err as Error).message}`);
    }
  },
};
