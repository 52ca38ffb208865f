// Kafka Connect's built-in converters, registered under their Apache class
// names. Converters that Kafka also uses as header converters are listed
// once per plugin type.
import type { Converter, HeaderConverter, PluginDescriptor } from '../sdk/index.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import { JsonConverter } from './json-converter.js';
import {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './number-converters.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { StringConverter } from './string-converter.js';

export { ByteArrayConverter } from './byte-array-converter.js';
export { JsonConverter } from './json-converter.js';
export * from './number-converters.js';
export { SimpleHeaderConverter } from './simple-header-converter.js';
export { StringConverter } from './string-converter.js';
export { DATE_SCHEMA, TIME_SCHEMA, TIMESTAMP_SCHEMA, decimalSchema } from './logical-types.js';

const VERSION = '0.1.0';

/**
 * Kafka accepts the simple class name and, as PluginUtils.prunedName does,
 * that name without its plugin-type suffix ("Json" for JsonConverter).
 */
function aliases(fqcn: string, suffix: string): string[] {
  const simple = fqcn.slice(fqcn.lastIndexOf('.') + 1);
  return simple.endsWith(suffix) && simple !== suffix ? [simple, simple.slice(0, -suffix.length)] : [simple];
}

function both(fqcn: string, create: new () => Converter & HeaderConverter): PluginDescriptor[] {
  return [
    { class: fqcn, aliases: aliases(fqcn, 'Converter'), type: 'converter', version: VERSION, create },
    { class: fqcn, aliases: aliases(fqcn, 'HeaderConverter'), type: 'header_converter', version: VERSION, create },
  ];
}

export const plugins: PluginDescriptor[] = [
  ...both('org.apache.kafka.connect.json.JsonConverter', JsonConverter),
  ...both('org.apache.kafka.connect.storage.StringConverter', StringConverter),
  ...both('org.apache.kafka.connect.converters.ByteArrayConverter', ByteArrayConverter),
  ...both('org.apache.kafka.connect.converters.BooleanConverter', BooleanConverter),
  ...both('org.apache.kafka.connect.converters.ShortConverter', ShortConverter),
  ...both('org.apache.kafka.connect.converters.IntegerConverter', IntegerConverter),
  ...both('org.apache.kafka.connect.converters.LongConverter', LongConverter),
  ...both('org.apache.kafka.connect.converters.FloatConverter', FloatConverter),
  ...both('org.apache.kafka.connect.converters.DoubleConverter', DoubleConverter),
  {
    class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    aliases: aliases('org.apache.kafka.connect.storage.SimpleHeaderConverter', 'HeaderConverter'),
    type: 'header_converter',
    version: VERSION,
    create: SimpleHeaderConverter,
  },
];
