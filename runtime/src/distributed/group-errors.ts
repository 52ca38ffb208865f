// What a group member does about each error from the coordinator. kafkajs
// reports broker error codes as KafkaJSProtocolError with a `type` name, and
// network trouble as KafkaJS* errors told apart by `name`; its retrier wraps
// the last one in KafkaJSNumberOfRetriesExceeded (`originalError`).

export type GroupErrorAction =
  /** The group is rebalancing or moved on a generation: rejoin, keeping the member id. */
  | 'rejoin'
  /** The coordinator forgot us (session expired, or we left): rejoin as a new member. */
  | 'reset-member'
  /** The coordinator moved or is unreachable: find it again, with backoff. */
  | 'coordinator'
  /** Configuration or authorization: retrying cannot help. */
  | 'fatal';

const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);
const RESET_MEMBER = new Set(['UNKNOWN_MEMBER_ID']);
const COORDINATOR = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
]);
const FATAL = new Set([
  'INCONSISTENT_GROUP_PROTOCOL',
  'INVALID_GROUP_ID',
  'INVALID_SESSION_TIMEOUT',
  'GROUP_AUTHORIZATION_FAILED',
  'GROUP_MAX_SIZE_REACHED',
  'UNSUPPORTED_VERSION',
  'FENCED_INSTANCE_ID',
]);
const FATAL_NAMES = new Set(['KafkaJSSASLAuthenticationError', 'KafkaJSServerDoesNotSupportApiKey']);

interface KafkaJsLikeError {
  name?: string;
  type?: string;
  originalError?: unknown;
}

/** The broker error type (e.g. "REBALANCE_IN_PROGRESS") of a kafkajs error, if it carries one. */
export function errorType(err: unknown): string | undefined {
  const e = err as KafkaJsLikeError | undefined;
  return e?.type ?? (e?.originalError ? errorType(e.originalError) : undefined);
}

export function classifyGroupError(err: unknown): GroupErrorAction {
  const type = errorType(err);
  if (type !== undefined) {
    if (REJOIN.has(type)) return 'rejoin';
    if (RESET_MEMBER.has(type)) return 'reset-member';
    if (FATAL.has(type)) return 'fatal';
    if (COORDINATOR.has(type)) return 'coordinator';
  }
  const name = (err as KafkaJsLikeError | undefined)?.name;
  if (name && FATAL_NAMES.has(name)) return 'fatal';
  // Connection errors, request timeouts, coordinator lookups that failed,
  // and anything unknown: find the coordinator again after a backoff. A
  // member that gives up would leave its work unowned.
  return 'coordinator';
}

/** kafkajs's KafkaJSMemberIdRequired (JoinGroup v4+ on a first join) carries the id to use. */
export function requiredMemberId(err: unknown): string | undefined {
  const e = err as { name?: string; memberId?: unknown } | undefined;
  return e?.name === 'KafkaJSMemberIdRequired' && typeof e.memberId === 'string' && e.memberId !== ''
    ? e.memberId
    : undefined;
}
