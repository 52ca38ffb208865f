import { expect } from 'chai';
import { kafkaJs } from '../kafka/client.js';
import { LogRegistry } from '../util/logging.js';
import { OutageRetry } from './outage-retry.js';
import { StoppedDuringOutageError } from '../errors.js';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } = kafkaJs as unknown as Record<
  string,
  new (...args: unknown[]) => Error
>;
const outage = () =>
  new KafkaJSNumberOfRetriesExceeded!(new KafkaJSConnectionError!('ECONNREFUSED'), { retryCount: 8 });

describe('OutageRetry', () => {
  const log = new LogRegistry('ERROR').logger('test');

  it('retries while Kafka is away, with growing delays, until the operation succeeds', async () => {
    const delays: number[] = [];
    const retry = new OutageRetry({ log, stopping: () => false, sleep: async (ms) => void delays.push(ms) });
    let calls = 0;
    const result = await retry.run('send', async () => {
      if (++calls < 6) throw outage();
      return 'sent';
    });
    expect(result).to.equal('sent');
    expect(delays).to.deep.equal([500, 1000, 2000, 4000, 5000]);
    expect(retry.outages).to.equal(1);
  });

  it('passes any other error through at once', async () => {
    const retry = new OutageRetry({ log, stopping: () => false, sleep: async () => undefined });
    const refused = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    const err = await retry.run('send', () => Promise.reject(refused)).catch((e: unknown) => e);
    expect(err).to.equal(refused);
    expect(retry.outages).to.equal(0);
  });

  it('gives up with StoppedDuringOutageError once the task stops', async () => {
    let stopping = false;
    const retry = new OutageRetry({ log, stopping: () => stopping, sleep: async () => void (stopping = true) });
    const err = await retry.run('send', () => Promise.reject(outage())).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(StoppedDuringOutageError);
  });
});
