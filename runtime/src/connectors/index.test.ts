import { expect } from 'chai';
import { plugins } from './index.js';

describe('the built-in connector plugins', () => {
  it('are announced with Kafka class names, aliases, types and version 0.1.0', () => {
    expect(plugins.map((p) => [p.class, p.type, p.aliases, p.version])).to.deep.equal([
      [
        'org.apache.kafka.connect.file.FileStreamSourceConnector',
        'source',
        ['FileStreamSourceConnector', 'FileStreamSource'],
        '0.1.0',
      ],
      [
        'org.apache.kafka.connect.file.FileStreamSinkConnector',
        'sink',
        ['FileStreamSinkConnector', 'FileStreamSink'],
        '0.1.0',
      ],
      ['dev.sluice.connect.datagen.DataGenConnector', 'source', ['DataGenConnector', 'DataGen'], '0.1.0'],
      ['dev.sluice.connect.http.HttpSinkConnector', 'sink', ['HttpSinkConnector', 'HttpSink'], '0.1.0'],
      [
        'io.debezium.connector.jdbc.JdbcSinkConnector',
        'sink',
        ['JdbcSinkConnector', 'JdbcSink', 'dev.sluice.connect.jdbc.PostgresSinkConnector', 'PostgresSink'],
        '0.1.0',
      ],
      [
        'io.debezium.connector.postgresql.PostgresConnector',
        'source',
        ['PostgresConnector', 'Postgres', 'dev.sluice.connect.postgres.PostgresConnector'],
        '0.1.0',
      ],
    ]);
  });

  it('create connectors whose type matches the descriptor', () => {
    for (const p of plugins) {
      if (p.type !== 'source' && p.type !== 'sink') continue;
      const connector = new p.create();
      expect(connector.type).to.equal(p.type);
      expect(connector.version()).to.equal('0.1.0');
    }
  });
});

describe('task.class of the built-in connectors', () => {
  it("names the Java task class Apache's worker would instantiate", async () => {
    const { taskClassOf } = await import('../worker/worker.js');
    const of = (cls: string) => {
      const d = plugins.find((p) => p.class === cls)!;
      return taskClassOf(d.class, 'taskClass' in d ? d.taskClass : undefined);
    };
    expect(of('org.apache.kafka.connect.file.FileStreamSourceConnector')).to.equal(
      'org.apache.kafka.connect.file.FileStreamSourceTask',
    );
    expect(of('org.apache.kafka.connect.file.FileStreamSinkConnector')).to.equal(
      'org.apache.kafka.connect.file.FileStreamSinkTask',
    );
    expect(of('io.debezium.connector.postgresql.PostgresConnector')).to.equal(
      'io.debezium.connector.postgresql.PostgresConnectorTask',
    );
  });
});
