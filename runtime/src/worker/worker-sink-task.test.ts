import { expect } from 'chai';
import { isGroupRebalance } from './worker-sink-task.js';

describe('WorkerSinkTask: group rebalance errors', () => {
  it('tells a rebalance of the sink group (kafkajs protocol error types) from a task failure', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR'])
      expect(isGroupRebalance(Object.assign(new Error('The group is rebalancing'), { type })), type).to.equal(true);
    expect(isGroupRebalance(Object.assign(new Error('x'), { type: 'TOPIC_AUTHORIZATION_FAILED' }))).to.equal(false);
    expect(isGroupRebalance(new Error('put failed'))).to.equal(false);
    expect(isGroupRebalance(null)).to.equal(false);
  });
});
