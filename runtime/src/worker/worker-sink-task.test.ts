import { expect } from 'chai';
import { createRequire } from 'node:module';
import { kafkaJs } from '../kafka/client.js';
import { isCoordinatorMoved, isGroupRebalance } from './worker-sink-task.js';

describe('WorkerSinkTask: group rebalance errors', () => {
  it('tells a rebalance of the sink group (kafkajs protocol error types) from a task failure', () => {
    for (const type of [
      'REBALANCE_IN_PROGRESS',
      'ILLEGAL_GENERATION',
      'UNKNOWN_MEMBER_ID',
      'NOT_COORDINATOR_FOR_GROUP',
    ])
      expect(isGroupRebalance(Object.assign(new Error('The group is rebalancing'), { type })), type).to.equal(true);
    expect(isGroupRebalance(Object.assign(new Error('x'), { type: 'TOPIC_AUTHORIZATION_FAILED' }))).to.equal(false);
    expect(isGroupRebalance(new Error('put failed'))).to.equal(false);
    expect(isGroupRebalance(null)).to.equal(false);
  });

  it('knows the coordinator errors by the names kafkajs gives them (a coordinator whose broker restarted)', () => {
    // kafkajs's own error for each broker code, so that a name kafkajs does not use cannot pass:
    // the chaos run's sink tasks FAILED on code 16, which kafkajs calls NOT_COORDINATOR_FOR_GROUP.
    const { createErrorFromCode } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      createErrorFromCode: (code: number) => Error & { type: string };
    };
    for (const code of [14, 15, 16, 22, 25, 27]) {
      const err = createErrorFromCode(code);
      expect(isGroupRebalance(err), `${code} ${err.type}`).to.equal(true);
    }
    expect(isGroupRebalance(createErrorFromCode(30)), 'GROUP_AUTHORIZATION_FAILED').to.equal(false);
    // Of those, a moved coordinator makes the task restart its consumer (kafkajs keeps the old one for commits).
    expect([14, 15, 16, 22, 25, 27].filter((code) => isCoordinatorMoved(createErrorFromCode(code)))).to.deep.equal([
      15, 16,
    ]);
  });

  it("sees the rebalance inside kafkajs's retrier wrappers (a commit refused after a network partition)", () => {
    const { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSNonRetriableError } =
      kafkaJs as unknown as Record<string, new (...args: unknown[]) => Error>;
    // What consumer.commitOffsets threw in the chaos run: UNKNOWN_MEMBER_ID, wrapped by the retrier.
    const refused = new KafkaJSProtocolError!({
      type: 'UNKNOWN_MEMBER_ID',
      code: 25,
      message: 'The coordinator is not aware of this member',
    });
    expect(isGroupRebalance(new KafkaJSNonRetriableError!(refused, { cause: refused }))).to.equal(true);
    expect(isGroupRebalance(new KafkaJSNumberOfRetriesExceeded!(refused, { cause: refused }))).to.equal(true);
    const denied = new KafkaJSProtocolError!({ type: 'GROUP_AUTHORIZATION_FAILED', code: 30, message: 'denied' });
    expect(isGroupRebalance(new KafkaJSNonRetriableError!(denied, { cause: denied }))).to.equal(false);
  });
});
