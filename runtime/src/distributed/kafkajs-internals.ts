// The only place that reaches into kafkajs internals (DESIGN "Distributed
// coordination", option 2). kafkajs's public consumer fixes protocolType to
// "consumer" and drops the assignment's userData before it reaches followers;
// its broker layer has neither limit. What we depend on, all in kafkajs 2.2.4:
//
// - src/index.js: the Kafka client keeps a cluster factory under the private
//   symbol `Symbol('private:Kafka:createCluster')` (PRIVATE.CREATE_CLUSTER);
//   producer(), consumer() and admin() each build their own Cluster with it.
//   We find the symbol by its description, so the cluster gets the client's
//   brokers, TLS, SASL, timeouts, retry and logger unchanged.
// - src/cluster/index.js: Cluster#connect(), #disconnect(),
//   #refreshMetadataIfNecessary(), #findGroupCoordinator({groupId}) -> Broker.
// - src/broker/index.js: Broker#joinGroup({groupId, sessionTimeout,
//   rebalanceTimeout, memberId, protocolType, groupProtocols:[{name,
//   metadata}]}) -> {generationId, groupProtocol, leaderId, memberId,
//   members:[{memberId, memberMetadata}]} (it already retries once with the
//   member id of a MEMBER_ID_REQUIRED answer); #syncGroup({groupId,
//   generationId, memberId, groupAssignment:[{memberId, memberAssignment}]})
//   -> {memberAssignment: Buffer}; #heartbeat({groupId, groupGenerationId,
//   memberId}); #leaveGroup({groupId, memberId}).
// - Errors: KafkaJSProtocolError with `type` (REBALANCE_IN_PROGRESS,
//   UNKNOWN_MEMBER_ID, ...), KafkaJSMemberIdRequired with `memberId`, and the
//   KafkaJS* connection/lookup error names (see group-errors.ts).
//
// kafkajs negotiates min(its max, the broker's max) per API: JoinGroup v5,
// SyncGroup v3, Heartbeat v3, LeaveGroup v3, FindCoordinator v2 against a
// Kafka 4 broker (all above what KIP-896 removed).
import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';

const require = createRequire(import.meta.url);

/** The only kafkajs release whose internals were read and tested for this module. */
export const SUPPORTED_KAFKAJS_VERSION = '2.2.4';
const CREATE_CLUSTER_SYMBOL = 'private:Kafka:createCluster';

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupResult {
  readonly generationId: number;
  readonly groupProtocol: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Only the leader gets the members (with their metadata); followers get []. */
  readonly members: ReadonlyArray<{ readonly memberId: string; readonly memberMetadata: Buffer }>;
}

/** The slice of kafkajs's internal Broker used for group membership. */
export interface GroupCoordinator {
  joinGroup(request: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId: string;
    protocolType: string;
    groupProtocols: GroupProtocol[];
  }): Promise<JoinGroupResult>;
  syncGroup(request: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }>;
  }): Promise<{ memberAssignment: Buffer }>;
  heartbeat(request: { groupId: string; groupGenerationId: number; memberId: string }): Promise<unknown>;
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}

/** The slice of kafkajs's internal Cluster used for group membership. */
export interface GroupCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<GroupCoordinator>;
}

/** Builds a fresh cluster (own connections) each call. */
export type GroupClusterFactory = () => GroupCluster;

/** The installed kafkajs version (from its package.json). */
export function installedKafkaJsVersion(): string {
  return (require('kafkajs/package.json') as { version: string }).version;
}

/**
 * A factory of kafkajs internal clusters that share the client's
 * configuration. Throws when kafkajs is not exactly the release we checked, or
 * when the private factory is missing, rather than misbehave later.
 */
export function kafkaJsGroupClusters(kafka: Kafka, version = installedKafkaJsVersion()): GroupClusterFactory {
  const create = privateClusterFactory(kafka, version, 'worker group membership');
  // Same arguments kafka.consumer() passes, minus consumer-only ones:
  // no topic auto-creation (we fetch no topic metadata), default metadata age.
  return () => create({ allowAutoTopicCreation: false, metadataMaxAge: 300_000 }) as GroupCluster;
}

function privateClusterFactory(kafka: Kafka, version: string, purpose: string): (o: object) => unknown {
  if (version !== SUPPORTED_KAFKAJS_VERSION)
    throw new Error(
      `${purpose} uses kafkajs internals checked against kafkajs ${SUPPORTED_KAFKAJS_VERSION}, ` +
        `but kafkajs ${version} is installed: pin kafkajs to ${SUPPORTED_KAFKAJS_VERSION} or re-check ` +
        `runtime/src/distributed/kafkajs-internals.ts against the new release`,
    );
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER_SYMBOL);
  const create = symbol && (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof create !== 'function')
    throw new Error(
      `kafkajs client has no ${CREATE_CLUSTER_SYMBOL} factory: not a kafkajs ${SUPPORTED_KAFKAJS_VERSION} Kafka?`,
    );
  return create as (o: object) => unknown;
}

// --- Reading a topic without a consumer group (storage/kafka-based-log.ts) ---
//
// kafkajs's consumer only reads through a group. The Kafka-based log reads
// every partition of an internal topic from offset 0 with the broker layer,
// as Java's KafkaBasedLog does with assign(). Also kafkajs 2.2.4:
//
// - src/cluster/index.js: Cluster#addTargetTopic(topic) (adds it to the
//   metadata refreshes and refreshes), #refreshMetadata(),
//   #findTopicPartitionMetadata(topic) -> [{partitionId, leader, ...}],
//   #findBroker({nodeId}) -> Broker.
// - src/broker/index.js: Broker#listOffsets({replicaId, isolationLevel,
//   topics:[{topic, partitions:[{partition, timestamp}]}]}) -> {responses:
//   [{topic, partitions:[{partition, errorCode, offset}]}]} (timestamp -1 =
//   latest, -2 = earliest); Broker#fetch({replicaId, isolationLevel,
//   maxWaitTime, minBytes, maxBytes, topics:[{topic, partitions:[{partition,
//   fetchOffset, maxBytes}]}]}) -> {responses:[{topicName, partitions:
//   [{partition, errorCode, highWatermark, messages}]}]} where messages are
//   decoded records {offset, key, value, headers, isControlRecord,
//   batchContext:{firstOffset, lastOffsetDelta}}. A partition error makes the
//   whole call throw: KafkaJSOffsetOutOfRange {topic, partition}, or a
//   KafkaJSProtocolError with `type` (NOT_LEADER_FOR_PARTITION, ...).
//   Empty batches (every record compacted away, kept for producer state) are
//   dropped by the decoder, so they cannot advance a position.

/** A decoded record as kafkajs's fetch returns it. */
export interface FetchedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly isControlRecord: boolean;
  readonly batchContext: { readonly firstOffset: string; readonly lastOffsetDelta: number };
}

/** The slice of kafkajs's internal Broker used to read a log. */
export interface LogBroker {
  listOffsets(request: {
    replicaId?: number;
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; timestamp: number }> }>;
  }): Promise<{
    responses: Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number; offset: string }> }>;
  }>;
  fetch(request: {
    replicaId?: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{
    responses: Array<{
      topicName: string;
      partitions: Array<{ partition: number; errorCode: number; highWatermark: string; messages: FetchedRecord[] }>;
    }>;
  }>;
}

/** The slice of kafkajs's internal Cluster used to read a log. */
export interface LogCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number | null | undefined }>;
  findBroker(request: { nodeId: number | string }): Promise<LogBroker>;
}

/** Builds a fresh cluster (own connections) for a log reader. Same version checks as kafkaJsGroupClusters. */
export function kafkaJsLogCluster(kafka: Kafka, version = installedKafkaJsVersion()): LogCluster {
  const create = privateClusterFactory(kafka, version, 'the Kafka-based log reader');
  return create({ allowAutoTopicCreation: false, metadataMaxAge: 300_000 }) as LogCluster;
}
