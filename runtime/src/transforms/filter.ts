// Filter: drops every record; meant to be gated by a predicate.
import { ConfigDef, type ConnectRecord, type Transformation } from '../sdk/index.js';

const CONFIG = new ConfigDef();

export class Filter implements Transformation {
  config(): ConfigDef {
    return CONFIG;
  }

  configure(_props: Record<string, string>): void {}

  apply(_record: ConnectRecord): null {
    return null;
  }
}
