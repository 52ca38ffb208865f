// Keys shared by Kafka's converters (ConverterConfig / StringConverterConfig).
import { ConfigDef, Validators } from '../sdk/index.js';

export const TYPE_CONFIG = 'converter.type';
export const ENCODING_CONFIG = 'converter.encoding';

/** Kafka's ConverterConfig.newConfigDef(): just converter.type. */
export function converterConfigDef(): ConfigDef {
  return new ConfigDef().define({
    name: TYPE_CONFIG,
    type: 'STRING',
    importance: 'LOW',
    documentation: 'How this converter will be used.',
    validator: Validators.oneOf('key', 'value', 'header'),
    // Kafka has no default; the runtime always sets it through configure(props, isKey).
    defaultValue: 'value',
  });
}

/** Props with converter.type filled in from isKey, as Kafka's configure(Map, boolean) does. */
export function withType(props: Record<string, string>, isKey: boolean): Record<string, string> {
  return { ...props, [TYPE_CONFIG]: isKey ? 'key' : 'value' };
}
