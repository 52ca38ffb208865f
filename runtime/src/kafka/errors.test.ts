import { expect } from 'chai';
import { createRequire } from 'node:module';
import { kafkaJs } from './client.js';
import { isKafkaOutage } from './errors.js';

describe('isKafkaOutage', () => {
  const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSNonRetriableError } =
    kafkaJs as unknown as Record<string, new (...args: unknown[]) => Error>;

  it('is true for a lost connection, also wrapped in the retrier\'s "number of retries exceeded"', () => {
    const lost = new KafkaJSConnectionError!('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isKafkaOutage(lost)).to.equal(true);
    expect(isKafkaOutage(new KafkaJSNumberOfRetriesExceeded!(lost, { retryCount: 8 }))).to.equal(true);
  });

  it('is true for a partition without a leader and a coordinator that moved', () => {
    expect(isKafkaOutage(new KafkaJSProtocolError!({ type: 'NOT_LEADER_OR_FOLLOWER', code: 6 }))).to.equal(true);
    expect(isKafkaOutage(Object.assign(new Error('x'), { type: 'GROUP_COORDINATOR_NOT_AVAILABLE' }))).to.equal(true);
  });

  it("knows each outage code by kafkajs's own name for it (Kafka's names differ for the coordinator codes)", () => {
    const { createErrorFromCode } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      createErrorFromCode: (code: number) => Error & { type: string };
    };
    // LEADER_NOT_AVAILABLE, NOT_LEADER, REQUEST_TIMED_OUT, BROKER_NOT_AVAILABLE, NETWORK_EXCEPTION,
    // COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, NOT_ENOUGH_REPLICAS(_AFTER_APPEND).
    for (const code of [5, 6, 7, 8, 13, 14, 15, 16, 19, 20]) {
      const err = createErrorFromCode(code);
      expect(isKafkaOutage(err), `${code} ${err.type}`).to.equal(true);
    }
  });

  it('is false for refusals, bad records and programming errors', () => {
    expect(isKafkaOutage(new KafkaJSProtocolError!({ type: 'MESSAGE_TOO_LARGE', code: 10 }))).to.equal(false);
    expect(isKafkaOutage(new KafkaJSProtocolError!({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 }))).to.equal(false);
    expect(isKafkaOutage(new KafkaJSNonRetriableError!('Invalid message without value'))).to.equal(false);
    expect(isKafkaOutage(new TypeError('x is undefined'))).to.equal(false);
    expect(isKafkaOutage(undefined)).to.equal(false);
  });
});
