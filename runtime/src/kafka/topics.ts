// Creating a topic and waiting until it can be used.
//
// kafkajs's `createTopics({ waitForLeaders: true })` polls the metadata only
// while the broker answers LEADER_NOT_AVAILABLE. A KRaft broker that has not
// applied the new topic's metadata record yet answers
// UNKNOWN_TOPIC_OR_PARTITION instead ("This server does not host this
// topic-partition"), and kafkajs gives up on the first such answer: a loaded
// machine made test set-ups and internal topic creation fail that way. Here
// the create and the wait are separate, and the wait tolerates both answers.
import type { Admin, ITopicConfig } from 'kafkajs';
import { isKafkaOutage } from './errors.js';

/** Broker answers while a topic just created is still reaching the broker's metadata. */
const NOT_YET_KNOWN = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export interface TopicWaitOptions {
  /** How long to wait for every partition to have a leader (default 30 s). */
  timeoutMs?: number;
  /** Called before each retry, with the answer that made it retry. */
  onRetry?: (reason: unknown) => void;
}

/**
 * Creates the topics that do not exist yet and waits until every partition of
 * all of them has a leader. Resolves true when it created at least one topic,
 * false when all existed already (kafkajs's meaning).
 */
export async function createTopicsAndWait(
  admin: Admin,
  topics: ITopicConfig[],
  options: TopicWaitOptions = {},
): Promise<boolean> {
  const created = await admin.createTopics({ waitForLeaders: false, topics });
  await waitForTopicLeaders(
    admin,
    topics.map((t) => t.topic),
    options,
  );
  return created;
}

/** Waits until every partition of `topics` has a leader, through the answers a new topic gets at first. */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: string[],
  { timeoutMs = 30_000, onRetry }: TopicWaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let backoff = 50;
  for (;;) {
    let reason: unknown;
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      const leaderless = meta.topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
      const missing = topics.filter((name) => !meta.topics.some((t) => t.name === name));
      if (leaderless.length === 0 && missing.length === 0) return;
      reason = new Error(`no leader yet for ${[...missing, ...leaderless.map((t) => t.name)].join(', ')}`);
    } catch (err) {
      if (!isNotYetKnown(err)) throw err;
      reason = err;
    }
    if (Date.now() + backoff > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for the leaders of ${topics.join(', ')}`, {
        cause: reason,
      });
    }
    onRetry?.(reason);
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, 1000);
  }
}

/** Whether `err` is an answer a topic just created may get, or a passing outage. */
export function isNotYetKnown(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { type } = e as { type?: unknown };
    if (typeof type === 'string' && NOT_YET_KNOWN.has(type)) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return isKafkaOutage(err);
}
