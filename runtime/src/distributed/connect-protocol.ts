// Kafka Connect's group protocol payloads, byte-compatible with Apache
// Kafka's ConnectProtocol (V0, "default", eager) and
// IncrementalCooperativeConnectProtocol (V1 "compatible" and V2 "sessioned",
// incremental cooperative). Being byte-exact keeps the door open to Java
// workers and tools reading our groups, and the formats are well tested there.
//
// Member metadata (what each worker sends in JoinGroup):
//   version:int16, url:string, config-offset:int64,
//   allocation:nullable bytes            (V1+ only: the previous assignment,
//                                         null when the worker had none)
// Assignment (what the leader sends each member through SyncGroup):
//   version:int16, error:int16, leader:string, leader-url:string,
//   config-offset:int64, assignment:[{connector:string, tasks:[int32]}],
//   revoked:[same] (V1+), delay:int32 (V1+)
// V2 is schematically identical to V1; the version only says that internal
// REST requests are signed with session keys (KIP-507).
//
// Decoding follows Java's "tolerate missing fields with defaults": a payload
// that ends before allocation/revoked/delay reads as null/empty/0, so V0
// payloads decode with the same reader.
import { WireReader, WireWriter } from './wire.js';
import type { TaskId } from '../vocabulary/task-id.js';
import { SchemaError } from '../errors.js';

export const CONNECT_PROTOCOL_V0 = 0;
export const CONNECT_PROTOCOL_V1 = 1;
export const CONNECT_PROTOCOL_V2 = 2;
export type ConnectProtocolVersion =
  typeof CONNECT_PROTOCOL_V0 | typeof CONNECT_PROTOCOL_V1 | typeof CONNECT_PROTOCOL_V2;

/** The JoinGroup protocol name of each version (Java: ConnectProtocolCompatibility). */
export const CONNECT_PROTOCOL_NAMES: Readonly<Record<ConnectProtocolVersion, string>> = {
  0: 'default',
  1: 'compatible',
  2: 'sessioned',
};

/** The group's protocolType for Connect workers (Java: WorkerCoordinator.protocolType()). */
export const CONNECT_PROTOCOL_TYPE = 'connect';

/** The task id that stands for the connector instance itself. */
export const CONNECTOR_TASK = -1;

export const ASSIGNMENT_NO_ERROR = 0;
/** The leader could not catch up with the newest config offset: read the config topic to its end and rejoin. */
export const ASSIGNMENT_CONFIG_MISMATCH = 1;

/** One connector's share of an assignment: CONNECTOR_TASK (-1) for the connector, others are task numbers. */
export interface ConnectorTasks {
  readonly connector: string;
  readonly tasks: readonly number[];
}

export interface ConnectAssignment {
  /** The header version: 0, 1 or 2 here; Java reads newer ones with the V1 layout, and so do we. */
  readonly version: number;
  readonly error: number;
  readonly leader: string;
  readonly leaderUrl: string;
  readonly configOffset: bigint;
  readonly assigned: readonly ConnectorTasks[];
  /** V1+: work the member must stop before it rejoins. */
  readonly revoked: readonly ConnectorTasks[];
  /** V1+: ms after which the member should rejoin (lost work waiting for its worker). */
  readonly delay: number;
}

export interface WorkerMetadata {
  readonly version: number;
  readonly url: string;
  readonly configOffset: bigint;
  /** V1+: the assignment the worker holds now; null when it never had one. */
  readonly allocation: ConnectAssignment | null;
  /**
   * Sluice extension (V1+): the worker is draining and must be given no work.
   * Sent as a trailing int16 of flags after the allocation, only when set:
   * Java's reader ignores bytes after the fields it knows, and a worker that
   * is not draining sends exactly Apache's bytes.
   */
  readonly draining?: boolean;
}

const FLAG_DRAINING = 0x1;

export function protocolVersionOf(name: string): ConnectProtocolVersion {
  for (const [version, protocol] of Object.entries(CONNECT_PROTOCOL_NAMES))
    if (protocol === name.toLowerCase()) return Number(version) as ConnectProtocolVersion;
  throw new SchemaError(`unknown Connect protocol "${name}"`);
}

export function encodeMetadata(metadata: WorkerMetadata): Buffer {
  const w = new WireWriter().int16(metadata.version).string(metadata.url).int64(metadata.configOffset);
  if (metadata.version === CONNECT_PROTOCOL_V0) return w.toBuffer();
  // Java embeds the allocation with the header of the metadata's own version.
  const allocation = metadata.allocation && encodeAssignment({ ...metadata.allocation, version: metadata.version });
  w.nullableBytes(allocation ?? null);
  if (metadata.draining) w.int16(FLAG_DRAINING);
  return w.toBuffer();
}

export function decodeMetadata(bytes: Buffer): WorkerMetadata {
  const r = new WireReader(bytes);
  const version = readVersion(r);
  const url = r.string();
  const configOffset = r.int64();
  const allocationBytes = r.hasRemaining() ? r.nullableBytes() : null;
  const allocation = allocationBytes === null ? null : decodeAssignment(allocationBytes);
  const flags = r.hasRemaining() ? r.int16() : 0;
  return { version, url, configOffset, allocation, ...(flags & FLAG_DRAINING ? { draining: true } : {}) };
}

export function encodeAssignment(a: ConnectAssignment): Buffer {
  const w = new WireWriter()
    .int16(a.version)
    .int16(a.error)
    .string(a.leader)
    .string(a.leaderUrl)
    .int64(a.configOffset)
    .array(a.assigned, writeConnectorTasks);
  if (a.version === CONNECT_PROTOCOL_V0) return w.toBuffer();
  return w.array(a.revoked, writeConnectorTasks).int32(a.delay).toBuffer();
}

export function decodeAssignment(bytes: Buffer): ConnectAssignment {
  const r = new WireReader(bytes);
  const version = readVersion(r);
  const error = r.int16();
  const leader = r.string();
  const leaderUrl = r.string();
  const configOffset = r.int64();
  const assigned = (r.hasRemaining() ? r.nullableArray(readConnectorTasks) : null) ?? [];
  const revoked = (r.hasRemaining() ? r.nullableArray(readConnectorTasks) : null) ?? [];
  const delay = r.hasRemaining() ? r.int32() : 0;
  return { version, error, leader, leaderUrl, configOffset, assigned, revoked, delay };
}

/**
 * Groups connectors and tasks per connector the way Java does (first the
 * connectors, each with CONNECTOR_TASK, then the tasks in their order), so
 * equal inputs give equal bytes.
 */
export function groupByConnector(connectors: readonly string[], tasks: readonly TaskId[]): ConnectorTasks[] {
  const byConnector = new Map<string, number[]>();
  for (const connector of new Set(connectors)) byConnector.set(connector, [CONNECTOR_TASK]);
  for (const { connector, task } of tasks) {
    const list = byConnector.get(connector) ?? [];
    list.push(task);
    byConnector.set(connector, list);
  }
  return [...byConnector].map(([connector, ids]) => ({ connector, tasks: ids }));
}

/** The inverse of groupByConnector: connector instances and task ids. */
export function splitConnectorTasks(list: readonly ConnectorTasks[]): { connectors: string[]; tasks: TaskId[] } {
  const connectors: string[] = [];
  const tasks: TaskId[] = [];
  for (const { connector, tasks: ids } of list)
    for (const task of ids) {
      if (task === CONNECTOR_TASK) connectors.push(connector);
      else tasks.push({ connector, task });
    }
  return { connectors, tasks };
}

function readVersion(r: WireReader): number {
  const version = r.int16();
  // Like Java: only negative versions are rejected, newer ones are read with
  // the newest layout we know (the version is kept, so re-encoding is exact).
  if (version < CONNECT_PROTOCOL_V0) throw new SchemaError(`unsupported Connect protocol version ${version}`);
  return version;
}

function writeConnectorTasks(ct: ConnectorTasks, w: WireWriter): void {
  w.string(ct.connector).array(ct.tasks, (task, w2) => w2.int32(task));
}

function readConnectorTasks(r: WireReader): ConnectorTasks {
  const connector = r.string();
  const tasks = r.array((r2) => r2.int32());
  return { connector, tasks };
}
