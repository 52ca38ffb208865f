// Which kafkajs errors mean "Kafka is away for now" (broker down or moving,
// connection lost, request timed out) rather than "this request is wrong".
// A task retries the former for as long as it takes, as Apache's producer
// and WorkerSourceTask do; only the latter are left to errors.tolerance.

/** kafkajs errors raised while brokers are unreachable or moving, whatever their `retriable` flag says. */
const OUTAGE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/** Broker answers that mean a partition or coordinator is moving (Kafka's RetriableException subclasses). */
const OUTAGE_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  // kafkajs's names for Kafka's COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and
  // NOT_COORDINATOR (codes 15, 14, 16); Kafka's own names never occur in kafkajs errors.
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'KAFKA_STORAGE_ERROR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'BROKER_NOT_AVAILABLE',
]);

/**
 * Whether `err` (or an error it was caused by) says Kafka is unavailable for
 * now: retrying the same request later may succeed, and the data is not at
 * fault. Programming errors, bad records and refusals (authorization, record
 * too large, invalid config) are not outages.
 */
export function isKafkaOutage(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { name, type } = e as { name?: unknown; type?: unknown };
    if (typeof name === 'string' && OUTAGE_NAMES.has(name)) return true;
    if (typeof type === 'string' && OUTAGE_TYPES.has(type)) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}
