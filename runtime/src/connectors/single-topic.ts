// The `topic` check shared by the source connectors here.
import { ConfigError, Validators, type Validator } from '../sdk/index.js';

/**
 * A non-empty topic name without commas. Kafka's FileStream source rejects a
 * comma because the setting once was a list and a source writes each record
 * to exactly one topic; a silently mangled topic name would be worse.
 */
export const singleTopic: Validator = (name, value) => {
  Validators.nonEmptyString()(name, value);
  if (typeof value === 'string' && value.includes(',')) {
    throw new ConfigError(name, `'${name}' must name a single topic, not a comma-separated list: "${value}"`);
  }
};
