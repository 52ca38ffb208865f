// Splits one produce call's messages into requests the broker accepts:
// kafkajs puts all messages of a partition into one record batch, and the
// broker refuses batches over message.max.bytes (1 MiB by default). Apache's
// producer splits by batch.size on its own; here a poll of large records
// (e.g. CDC events with their JSON schemas: ~4 KB each) must be split.
import type { Message, TopicMessages } from 'kafkajs';

/** Default budget per request: well under the broker's 1 MiB default, leaving room for batch overhead. */
export const MAX_PRODUCE_BYTES = 512 * 1024;

function sizeOf(m: Message): number {
  const len = (v: unknown) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : (v as Buffer).length);
  let n = len(m.key) + len(m.value) + 70;
  if (m.headers) for (const [k, v] of Object.entries(m.headers)) n += Buffer.byteLength(k) + len(v);
  return n;
}

/** Consecutive groups of at most `maxBytes` each (a single larger message goes alone); order is kept per topic. */
export function produceChunks(byTopic: Map<string, Message[]>, maxBytes = MAX_PRODUCE_BYTES): TopicMessages[][] {
  const out: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const [topic, messages] of byTopic) {
    let group: Message[] = [];
    current.push({ topic, messages: group });
    for (const m of messages) {
      const s = sizeOf(m);
      if (bytes + s > maxBytes && bytes > 0) {
        out.push(current);
        group = [];
        current = [{ topic, messages: group }];
        bytes = 0;
      }
      group.push(m);
      bytes += s;
    }
  }
  current = current.filter((t) => t.messages.length > 0);
  if (current.length > 0) out.push(current);
  return out;
}
