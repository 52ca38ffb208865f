// The built-in predicates that gate transforms through `predicate`/`negate`.
import { ConfigDef, ConfigError, NO_DEFAULT, type ConnectRecord, type Predicate } from '../sdk/index.js';
import { compileJavaRegex, fullMatch, type JavaPattern } from './java-regex.js';

const TOPIC_NAME_MATCHES_CONFIG = new ConfigDef().define({
  name: 'pattern',
  type: 'STRING',
  defaultValue: NO_DEFAULT,
  validator: (name, value) => {
    if (value === '') throw new ConfigError(name, 'String must be non-empty');
    try {
      compileJavaRegex(value as string);
    } catch (err) {
      throw new ConfigError(name, `Invalid regex: ${(err as Error).message}`);
    }
  },
  importance: 'MEDIUM',
  documentation: "A Java regular expression for matching against the name of a record's topic.",
});

/** True for records whose whole topic name matches `pattern`. */
export class TopicNameMatches implements Predicate {
  private pattern!: JavaPattern;

  config(): ConfigDef {
    return TOPIC_NAME_MATCHES_CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.pattern = compileJavaRegex(TOPIC_NAME_MATCHES_CONFIG.parse(props)['pattern'] as string);
  }

  test(record: ConnectRecord): boolean {
    return record.topic != null && fullMatch(this.pattern, record.topic) !== null;
  }
}

const HAS_HEADER_KEY_CONFIG = new ConfigDef().define({
  name: 'name',
  type: 'STRING',
  defaultValue: NO_DEFAULT,
  validator: (name, value) => {
    if (value === '') throw new ConfigError(name, 'String must be non-empty');
  },
  importance: 'MEDIUM',
  documentation: 'The header name.',
});

/** True for records with at least one header named `name`. */
export class HasHeaderKey implements Predicate {
  private name = '';

  config(): ConfigDef {
    return HAS_HEADER_KEY_CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.name = HAS_HEADER_KEY_CONFIG.parse(props)['name'] as string;
  }

  test(record: ConnectRecord): boolean {
    return (record.headers ?? []).some((h) => h.key === this.name);
  }
}

const EMPTY = new ConfigDef();

/** True for tombstones: records whose value is null. */
export class RecordIsTombstone implements Predicate {
  config(): ConfigDef {
    return EMPTY;
  }

  configure(_props: Record<string, string>): void {}

  test(record: ConnectRecord): boolean {
    return record.value == null;
  }
}
