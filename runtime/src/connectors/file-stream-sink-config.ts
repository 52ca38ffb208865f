// The FileStream sink's settings, as in Kafka's FileStreamSinkConnector.CONFIG_DEF.
// `topics` and `topics.regex` are the framework's sink settings, not defined here.
import { ConfigDef, type RawConfig } from '../sdk/index.js';
import { fileOrNull } from './file-stream-source-config.js';

export const SINK_FILE_CONFIG = 'file';

export function fileStreamSinkConfigDef(): ConfigDef {
  return new ConfigDef().define({
    name: SINK_FILE_CONFIG,
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'Destination filename. If not specified, the standard output will be used',
  });
}

export interface FileStreamSinkConfig {
  /** null: write to stdout */
  readonly file: string | null;
}

export function parseFileStreamSinkConfig(props: RawConfig): FileStreamSinkConfig {
  const parsed = fileStreamSinkConfigDef().parse(props);
  return { file: fileOrNull(parsed[SINK_FILE_CONFIG]) };
}
