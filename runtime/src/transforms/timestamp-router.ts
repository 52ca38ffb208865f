// TimestampRouter: routes records to per-period topics (e.g. daily indices)
// derived from the topic name and the record timestamp.
import { ConfigDef, ConfigError, DataError, newRecord, type ConnectRecord, type Transformation } from '../sdk/index.js';
import { JavaDateFormat } from './java-date-format.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'topic.format',
    type: 'STRING',
    defaultValue: '${topic}-${timestamp}',
    importance: 'HIGH',
    documentation:
      'Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.',
  })
  .define({
    name: 'timestamp.format',
    type: 'STRING',
    defaultValue: 'yyyyMMdd',
    importance: 'HIGH',
    documentation: 'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.',
  });

export class TimestampRouter implements Transformation {
  private topicFormat = '${topic}-${timestamp}';
  private timestampFormat = new JavaDateFormat('yyyyMMdd');

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    this.topicFormat = c['topic.format'] as string;
    try {
      this.timestampFormat = new JavaDateFormat(c['timestamp.format'] as string);
    } catch (err) {
      throw new ConfigError('timestamp.format', (err as Error).message);
    }
  }

  apply<R extends ConnectRecord>(record: R): R {
    if (record.timestamp == null)
      throw new DataError(
        `Timestamp missing on record: topic=${record.topic}, partition=${record.kafkaPartition ?? null}`,
      );
    const timestamp = this.timestampFormat.format(new Date(record.timestamp));
    const topic = this.topicFormat.replaceAll('${topic}', record.topic).replaceAll('${timestamp}', timestamp);
    return newRecord(record, { topic });
  }
}
