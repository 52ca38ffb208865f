// Validators Kafka's transforms use that the SDK's Validators lack.
import { ConfigError, type Validator } from '../sdk/index.js';

/** Kafka's NonEmptyListValidator. */
export const nonEmptyList: Validator = (name, value) => {
  if (value == null || (Array.isArray(value) && value.length === 0)) throw new ConfigError(name, 'Empty list');
};

/** Kafka's ConfigDef.NonEmptyString, which also lets the null default through. */
export const nonEmptyString: Validator = (name, value) => {
  if (typeof value === 'string' && value === '') throw new ConfigError(name, 'String may not be empty');
};
