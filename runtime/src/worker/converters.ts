// The key, value and header converters of one connector: the worker's
// `key.converter` etc. unless the connector overrides them, each configured
// with its `<kind>.converter.*` keys.
import type { Converter, HeaderConverter } from '../sdk/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { withPrefix } from '../config/worker-config.js';

export interface ConverterSet {
  readonly key: Converter;
  readonly value: Converter;
  readonly header: HeaderConverter;
  readonly keyClass: string;
  readonly valueClass: string;
  readonly headerClass: string;
}

export function buildConverters(
  worker: Readonly<Record<string, string>>,
  connector: Readonly<Record<string, string>>,
  plugins: PluginRegistry,
): ConverterSet {
  // A connector that names its own converter class takes its settings from
  // the connector config only, as Kafka does.
  const pick = (kind: 'key' | 'value' | 'header') => {
    const k = `${kind}.converter`;
    const fromConnector = connector[k];
    const className = fromConnector ?? worker[k] ?? 'org.apache.kafka.connect.storage.SimpleHeaderConverter';
    const props = withPrefix(fromConnector ? connector : worker, `${k}.`);
    return { key: k, className, props };
  };
  const k = pick('key');
  const key = new (plugins.resolve(k.className, ['converter'], k.key).create)();
  key.configure(k.props, true);
  const v = pick('value');
  const value = new (plugins.resolve(v.className, ['converter'], v.key).create)();
  value.configure(v.props, false);
  const h = pick('header');
  const header = new (plugins.resolve(h.className, ['header_converter'], h.key).create)();
  header.configure(h.props);
  return { key, value, header, keyClass: k.className, valueClass: v.className, headerClass: h.className };
}
