// RegexRouter: renames the topic when the whole topic name matches `regex`.
import {
  ConfigDef,
  ConfigError,
  NO_DEFAULT,
  newRecord,
  type ConnectRecord,
  type Transformation,
} from '../sdk/index.js';
import { JavaReplacement, compileJavaRegex, fullMatch, replaceFirst, type JavaPattern } from './java-regex.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'regex',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    importance: 'HIGH',
    documentation: 'Regular expression to use for matching.',
  })
  .define({
    name: 'replacement',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    importance: 'HIGH',
    documentation: 'Replacement string.',
  });

export class RegexRouter implements Transformation {
  private pattern!: JavaPattern;
  private replacement!: JavaReplacement;

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    try {
      this.pattern = compileJavaRegex(c['regex'] as string);
    } catch (err) {
      throw new ConfigError('regex', `Invalid regex: ${(err as Error).message}`);
    }
    // Java only rejects a bad replacement on the first matching record; we
    // know the pattern's groups now, so fail at configuration instead.
    try {
      this.replacement = new JavaReplacement(c['replacement'] as string, this.pattern);
    } catch (err) {
      throw new ConfigError('replacement', (err as Error).message);
    }
  }

  apply<R extends ConnectRecord>(record: R): R {
    if (!fullMatch(this.pattern, record.topic)) return record;
    return newRecord(record, { topic: replaceFirst(this.pattern, record.topic, this.replacement) });
  }
}
