// Kafka Connect's built-in single message transforms and predicates, written
// against the plugin SDK alone, exactly as a third-party plugin would be.
import type { PluginDescriptor, PredicateClass, TransformationClass } from '../sdk/index.js';
import { CastKey, CastValue } from './cast.js';
import { DropHeaders } from './drop-headers.js';
import { ExtractFieldKey, ExtractFieldValue } from './extract-field.js';
import { Filter } from './filter.js';
import { FlattenKey, FlattenValue } from './flatten.js';
import { HeaderFromKey, HeaderFromValue } from './header-from.js';
import { HoistFieldKey, HoistFieldValue } from './hoist-field.js';
import { InsertFieldKey, InsertFieldValue } from './insert-field.js';
import { InsertHeader } from './insert-header.js';
import { MaskFieldKey, MaskFieldValue } from './mask-field.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates.js';
import { RegexRouter } from './regex-router.js';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.js';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.js';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.js';
import { TimestampRouter } from './timestamp-router.js';
import { ValueToKey } from './value-to-key.js';

export * from './cast.js';
export * from './drop-headers.js';
export * from './extract-field.js';
export * from './filter.js';
export * from './flatten.js';
export * from './header-from.js';
export * from './hoist-field.js';
export * from './insert-field.js';
export * from './insert-header.js';
export * from './mask-field.js';
export * from './predicates.js';
export * from './regex-router.js';
export * from './replace-field.js';
export * from './set-schema-metadata.js';
export * from './timestamp-converter.js';
export * from './timestamp-router.js';
export * from './value-to-key.js';

const VERSION = '0.1.0';
const PACKAGE = 'org.apache.kafka.connect.transforms';

const transformation = (simpleName: string, create: TransformationClass): PluginDescriptor => ({
  class: `${PACKAGE}.${simpleName}`,
  aliases: [simpleName],
  type: 'transformation',
  version: VERSION,
  create,
});

const predicate = (simpleName: string, create: PredicateClass): PluginDescriptor => ({
  class: `${PACKAGE}.predicates.${simpleName}`,
  aliases: [simpleName],
  type: 'predicate',
  version: VERSION,
  create,
});

export const plugins: PluginDescriptor[] = [
  transformation('Cast$Key', CastKey),
  transformation('Cast$Value', CastValue),
  transformation('ExtractField$Key', ExtractFieldKey),
  transformation('ExtractField$Value', ExtractFieldValue),
  transformation('Flatten$Key', FlattenKey),
  transformation('Flatten$Value', FlattenValue),
  transformation('HoistField$Key', HoistFieldKey),
  transformation('HoistField$Value', HoistFieldValue),
  transformation('InsertField$Key', InsertFieldKey),
  transformation('InsertField$Value', InsertFieldValue),
  transformation('MaskField$Key', MaskFieldKey),
  transformation('MaskField$Value', MaskFieldValue),
  transformation('ReplaceField$Key', ReplaceFieldKey),
  transformation('ReplaceField$Value', ReplaceFieldValue),
  transformation('SetSchemaMetadata$Key', SetSchemaMetadataKey),
  transformation('SetSchemaMetadata$Value', SetSchemaMetadataValue),
  transformation('TimestampConverter$Key', TimestampConverterKey),
  transformation('TimestampConverter$Value', TimestampConverterValue),
  transformation('HeaderFrom$Key', HeaderFromKey),
  transformation('HeaderFrom$Value', HeaderFromValue),
  transformation('InsertHeader', InsertHeader),
  transformation('DropHeaders', DropHeaders),
  transformation('ValueToKey', ValueToKey),
  transformation('RegexRouter', RegexRouter),
  transformation('TimestampRouter', TimestampRouter),
  transformation('Filter', Filter),
  predicate('TopicNameMatches', TopicNameMatches),
  predicate('HasHeaderKey', HasHeaderKey),
  predicate('RecordIsTombstone', RecordIsTombstone),
];
