// DropHeaders: removes every header with one of the configured names.
import { ConfigDef, NO_DEFAULT, newRecord, type ConnectRecord, type Transformation } from '../sdk/index.js';
import { nonEmptyList } from './validators.js';

const CONFIG = new ConfigDef().define({
  name: 'headers',
  type: 'LIST',
  defaultValue: NO_DEFAULT,
  validator: nonEmptyList,
  importance: 'HIGH',
  documentation: 'The name of the headers to be removed.',
});

export class DropHeaders implements Transformation {
  private names = new Set<string>();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.names = new Set(CONFIG.parse(props)['headers'] as string[]);
  }

  apply<R extends ConnectRecord>(record: R): R {
    const headers = (record.headers ?? []).filter((h) => !this.names.has(h.key));
    return newRecord(record, { headers });
  }
}
