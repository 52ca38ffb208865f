// A produce that resolves only when Kafka acknowledged every partition it
// wrote to. kafkajs 2.2.4 may resolve a send without writing some partitions
// (kafka/client.ts, `unacknowledged`): the records of those partitions are
// sent again, a few times, before the send counts as an outage. Every
// multi-partition produce of the runtime goes through here: source records
// (at least once and in transactions), the offsets a transaction commits,
// and the internal topics' writes.
import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { unacknowledged } from './client.js';

export interface AcknowledgedSendOptions {
  /** Sends in all, the first included, before giving up (default 3). */
  readonly attempts?: number;
  /**
   * Called with the messages about to be sent again. A caller that retries
   * the whole send after an outage keeps these, so that what was
   * acknowledged is not sent twice.
   */
  readonly onResend?: (missed: TopicMessages[], records: number) => void;
  /** Which messages the answer does not cover (the default reads kafkajs's partitioning). */
  readonly missing?: typeof unacknowledged;
}

export const RESEND_WARNING = 'Kafka did not acknowledge every partition of a send; sending those records again';

/** The error a send gets when Kafka still leaves partitions out after every attempt: an outage, retried as one. */
export class UnacknowledgedSendError extends Error {
  override readonly name = 'KafkaJSNumberOfRetriesExceeded';
  constructor(readonly records: number) {
    super(`Kafka did not acknowledge every partition of a send (${records} records left out)`);
  }
}

/** Sends `topicMessages` with `send`, and again those of partitions the answer left out; resolves with every answer. */
export async function sendAcknowledged(
  send: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>,
  topicMessages: TopicMessages[],
  { attempts = 3, onResend, missing = unacknowledged }: AcknowledgedSendOptions = {},
): Promise<RecordMetadata[]> {
  const answers: RecordMetadata[] = [];
  let pending = topicMessages;
  for (let attempt = 1; ; attempt++) {
    // A fake or an acks=0 producer may answer nothing.
    const answer = (await send(pending)) ?? [];
    answers.push(...answer);
    const missed = missing(pending, answer);
    if (missed.length === 0) return answers;
    const records = missed.reduce((n, t) => n + t.messages.length, 0);
    if (attempt >= attempts) throw new UnacknowledgedSendError(records);
    onResend?.(missed, records);
    pending = missed;
  }
}
