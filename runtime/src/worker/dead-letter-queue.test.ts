import { expect } from 'chai';
import type { Admin, Producer } from 'kafkajs';
import { registerSecret } from '../util/secret-mask.js';
import { TaskMetrics } from '../metrics/task-metrics.js';
import { DeadLetterQueueReporter } from './dead-letter-queue.js';

describe('DeadLetterQueueReporter', () => {
  it('masks resolved secrets in the __connect.errors.exception.* headers', async () => {
    registerSecret('dlq-secret-5150');
    const sent: Array<{ headers: Record<string, unknown> }> = [];
    const producer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async ({ messages }: { messages: Array<{ headers: Record<string, unknown> }> }) => {
        sent.push(...messages);
        return [];
      },
    } as unknown as Producer;
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => ['dlq'],
    } as unknown as Admin;
    const dlq = new DeadLetterQueueReporter({
      topic: 'dlq',
      replicationFactor: 1,
      contextHeaders: true,
      producer,
      admin,
      id: { connector: 'c', task: 0 },
      metrics: new TaskMetrics('c', 0, 'sink'),
    });
    await dlq.report(
      {
        stage: 'VALUE_CONVERTER',
        className: 'x',
        consumed: { topic: 't', partition: 0, offset: '1', key: null, value: Buffer.from('v') },
      },
      new Error('cannot reach db with password dlq-secret-5150'),
    );
    expect(sent).to.have.length(1);
    const headers = JSON.stringify(sent[0]!.headers);
    expect(headers).to.include('__connect.errors.exception.message');
    expect(headers).to.include('[hidden]');
    expect(headers).not.to.include('dlq-secret-5150');
  });
});
