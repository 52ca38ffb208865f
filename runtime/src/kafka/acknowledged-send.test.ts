import { expect } from 'chai';
import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { isKafkaOutage } from './errors.js';
import { sendAcknowledged, UnacknowledgedSendError } from './acknowledged-send.js';

// Partition = the message value's number modulo 2, as a partitioner would put it; the scripted
// send "acknowledges" only the partitions it is told to, like kafkajs 2.2.4 after a leader moved.
const partitionOf = (m: { value?: unknown }) => Number(m.value) % 2;
const missing = (sent: readonly TopicMessages[], answer: readonly RecordMetadata[] | undefined) =>
  sent
    .map(({ topic, messages }) => ({
      topic,
      messages: messages.filter(
        (m) => !(answer ?? []).some((a) => a.topicName === topic && a.partition === partitionOf(m)),
      ),
    }))
    .filter((t) => t.messages.length > 0);

function scriptedSend(acknowledgePerCall: number[][]) {
  const calls: TopicMessages[][] = [];
  const send = async (topicMessages: TopicMessages[]): Promise<RecordMetadata[]> => {
    calls.push(topicMessages);
    const partitions = acknowledgePerCall[Math.min(calls.length - 1, acknowledgePerCall.length - 1)]!;
    return partitions.map((partition) => ({ topicName: 't', partition, errorCode: 0 }));
  };
  return { send, calls };
}

const values = (calls: TopicMessages[][]) => calls.map((c) => c.flatMap((t) => t.messages.map((m) => m.value)));
const batch = (): TopicMessages[] => [{ topic: 't', messages: ['0', '1', '2', '3'].map((value) => ({ value })) }];

describe('sendAcknowledged', () => {
  it('sends again only the records of the partitions the answer left out, and tells the caller', async () => {
    const { send, calls } = scriptedSend([[0], [1]]);
    const resent: Array<[unknown[], number]> = [];
    const answers = await sendAcknowledged(send, batch(), {
      missing,
      onResend: (missed, records) => resent.push([missed.flatMap((t) => t.messages.map((m) => m.value)), records]),
    });
    expect(values(calls)).to.deep.equal([
      ['0', '1', '2', '3'],
      ['1', '3'],
    ]);
    expect(resent).to.deep.equal([[['1', '3'], 2]]);
    expect(answers.map((a) => a.partition)).to.deep.equal([0, 1]);
  });

  it('sends once when every partition was acknowledged', async () => {
    const { send, calls } = scriptedSend([[0, 1]]);
    await sendAcknowledged(send, batch(), { missing });
    expect(calls).to.have.length(1);
  });

  it('gives up after its attempts with an error the callers retry as an outage', async () => {
    const { send, calls } = scriptedSend([[0], []]);
    const err = await sendAcknowledged(send, batch(), { missing, attempts: 3 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UnacknowledgedSendError);
    expect((err as UnacknowledgedSendError).records).to.equal(2);
    expect(isKafkaOutage(err)).to.equal(true);
    expect(calls).to.have.length(3);
  });
});
