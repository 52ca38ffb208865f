// The group leader's job: decide which worker runs which connector and task,
// incrementally and cooperatively (KIP-415, Apache's
// IncrementalCooperativeAssignor), as a pure function of what the members
// report plus the leader's memory of the previous round.
//
// Each round:
// 1. Work that is no longer configured, or that runs on two workers, is revoked.
// 2. Lost work (held last round by a worker that is gone) waits for its worker
//    for up to `maxDelayMs`; a member with the same URL as the worker that held
//    it gets it back at once (a StatefulSet pod comes back under its old DNS
//    name with a new member id). When the delay expires, it is reassigned.
// 3. With no lost work waiting, workers above their fair share are cut down to
//    it (connectors and tasks counted separately); the revoked work is assigned
//    in the next round, after its worker stopped it, so nothing runs twice.
//    Draining workers have a share of zero.
// 4. Unassigned work goes to the least-loaded workers that are not draining.
// Only what must move moves: a worker keeps everything it is not told to revoke.
import { CONNECTOR_TASK, type ConnectorTasks } from './connect-protocol.js';
import type { TaskId } from '../vocabulary/task-id.js';

export interface MemberReport {
  readonly memberId: string;
  /** The worker's REST URL: stable across restarts of the same pod, unlike the member id. */
  readonly url: string;
  /** What the worker runs now (its metadata's allocation). */
  readonly connectors: readonly string[];
  readonly tasks: readonly TaskId[];
  readonly draining: boolean;
}

export interface ConfiguredWork {
  readonly connectors: readonly string[];
  readonly tasks: readonly TaskId[];
}

export interface MemberAssignment {
  /** New work for the member (it keeps what it has unless revoked). */
  readonly assigned: ConnectorTasks[];
  readonly revoked: ConnectorTasks[];
  /** ms until the member should rejoin (lost work waiting for its worker); 0 for none. */
  readonly delay: number;
}

type Unit = string; // "c\0<connector>" or "t\0<connector>\0<task>"

const connectorUnit = (c: string): Unit => `c\0${c}`;
const taskUnit = (t: TaskId): Unit => `t\0${t.connector}\0${t.task}`;
const isConnectorUnit = (u: Unit): boolean => u.startsWith('c\0');

function unitsOf(connectors: readonly string[], tasks: readonly TaskId[]): Unit[] {
  return [...connectors.map(connectorUnit), ...tasks.map(taskUnit)];
}

/** Units back to the wire shape: per connector, the connector first (-1), then tasks in order. */
export function toConnectorTasks(units: Iterable<Unit>): ConnectorTasks[] {
  const byConnector = new Map<string, number[]>();
  for (const u of [...units].sort(compareUnits)) {
    const parts = u.split('\0');
    const connector = parts[1]!;
    const id = isConnectorUnit(u) ? CONNECTOR_TASK : Number(parts[2]);
    let list = byConnector.get(connector);
    if (!list) byConnector.set(connector, (list = []));
    list.push(id);
  }
  return [...byConnector].map(([connector, tasks]) => ({ connector, tasks }));
}

function compareUnits(a: Unit, b: Unit): number {
  const pa = a.split('\0');
  const pb = b.split('\0');
  if (pa[1] !== pb[1]) return pa[1]! < pb[1]! ? -1 : 1;
  const ia = isConnectorUnit(a) ? -1 : Number(pa[2]);
  const ib = isConnectorUnit(b) ? -1 : Number(pb[2]);
  return ia - ib;
}

export class IncrementalCooperativeAssignor {
  /** Worker URL -> the work it held after the last round (the leader's memory). */
  private previous = new Map<string, Set<Unit>>();
  /** Lost work waiting for its worker: unit -> the URL that held it. */
  private readonly lost = new Map<Unit, string>();
  private deadline: number | undefined;

  constructor(private readonly maxDelayMs: number) {}

  /** Forget the previous rounds (another member led meanwhile). */
  reset(): void {
    this.previous = new Map();
    this.lost.clear();
    this.deadline = undefined;
  }

  assign(members: readonly MemberReport[], configured: ConfiguredWork, now: number): Map<string, MemberAssignment> {
    const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const wanted = new Set(unitsOf(configured.connectors, configured.tasks));
    const revoked = new Map<string, Set<Unit>>(sorted.map((m) => [m.memberId, new Set()]));
    const assigned = new Map<string, Set<Unit>>(sorted.map((m) => [m.memberId, new Set()]));
    /** What each member will hold once it applied this round's revocations. */
    const holds = new Map<string, Set<Unit>>();

    // 1. Deleted and duplicated work. A duplicate stays with the worker that
    // held it last round, else with the first member.
    const owner = new Map<Unit, string>();
    const previousOwnerUrl = new Map<Unit, string>();
    for (const [url, units] of this.previous) for (const u of units) previousOwnerUrl.set(u, url);
    for (const m of sorted) {
      for (const u of unitsOf(m.connectors, m.tasks)) {
        if (!wanted.has(u)) {
          revoked.get(m.memberId)!.add(u);
          continue;
        }
        const other = owner.get(u);
        if (other === undefined) owner.set(u, m.memberId);
        else {
          const keepNew = previousOwnerUrl.get(u) === m.url;
          const loser = keepNew ? other : m.memberId;
          revoked.get(loser)!.add(u);
          if (keepNew) owner.set(u, m.memberId);
        }
      }
    }
    for (const m of sorted) holds.set(m.memberId, new Set());
    for (const [u, memberId] of owner) holds.get(memberId)!.add(u);

    // 2. Lost work: held last round, held by nobody now.
    const byUrl = new Map<string, MemberReport>();
    for (const m of sorted) if (!byUrl.has(m.url)) byUrl.set(m.url, m);
    for (const [url, units] of this.previous)
      for (const u of units) if (wanted.has(u) && !owner.has(u) && !this.lost.has(u)) this.lost.set(u, url);
    for (const [u, url] of [...this.lost]) {
      if (!wanted.has(u) || owner.has(u)) {
        this.lost.delete(u);
        continue;
      }
      const back = byUrl.get(url);
      if (back && !back.draining) {
        // Its worker is back (same URL, new member id): give it its work now.
        assigned.get(back.memberId)!.add(u);
        holds.get(back.memberId)!.add(u);
        owner.set(u, back.memberId);
        this.lost.delete(u);
      }
    }
    let delay = 0;
    if (this.lost.size > 0) {
      this.deadline ??= now + this.maxDelayMs;
      if (now >= this.deadline) {
        this.lost.clear(); // reassigned below as unassigned work
        this.deadline = undefined;
      } else delay = this.deadline - now;
    } else this.deadline = undefined;

    // 3. Draining members give everything back; with no lost work waiting,
    // members above their fair share give back the excess.
    const eligible = sorted.filter((m) => !m.draining);
    for (const m of sorted) {
      if (!m.draining) continue;
      for (const u of holds.get(m.memberId)!) revoked.get(m.memberId)!.add(u);
      holds.set(m.memberId, new Set());
    }
    if (this.lost.size === 0 && eligible.length > 0) {
      for (const kind of [true, false]) {
        const total = [...wanted].filter((u) => isConnectorUnit(u) === kind).length;
        const count = (id: string) => [...holds.get(id)!].filter((u) => isConnectorUnit(u) === kind).length;
        const floor = Math.floor(total / eligible.length);
        let extra = total % eligible.length;
        const byLoad = [...eligible].sort((a, b) => count(b.memberId) - count(a.memberId));
        for (const m of byLoad) {
          const quota = floor + (extra > 0 ? 1 : 0);
          if (extra > 0) extra--;
          const mine = [...holds.get(m.memberId)!].filter((u) => isConnectorUnit(u) === kind).sort(compareUnits);
          // Give back the highest-numbered work: the lowest keeps running.
          for (const u of mine.slice(quota)) {
            revoked.get(m.memberId)!.add(u);
            holds.get(m.memberId)!.delete(u);
          }
        }
      }
    }

    // 4. Unassigned work (new, or lost past its delay) to the least loaded.
    // Revoked work is not handed out in the same round: it is still running.
    const revokedNow = new Set([...revoked.values()].flatMap((s) => [...s]));
    const unassigned = [...wanted]
      .filter((u) => !owner.has(u) && !this.lost.has(u) && !revokedNow.has(u))
      .sort(compareUnits);
    if (eligible.length > 0) {
      for (const u of unassigned) {
        const kind = isConnectorUnit(u);
        const load = (id: string) => [...holds.get(id)!].filter((x) => isConnectorUnit(x) === kind).length;
        let best = eligible[0]!;
        for (const m of eligible) if (load(m.memberId) < load(best.memberId)) best = m;
        assigned.get(best.memberId)!.add(u);
        holds.get(best.memberId)!.add(u);
      }
    }

    // Remember who holds what for the next round.
    this.previous = new Map();
    for (const m of sorted) this.previous.set(m.url, new Set(holds.get(m.memberId)));

    const out = new Map<string, MemberAssignment>();
    for (const m of sorted)
      out.set(m.memberId, {
        assigned: toConnectorTasks(assigned.get(m.memberId)!),
        revoked: toConnectorTasks(revoked.get(m.memberId)!),
        delay,
      });
    return out;
  }
}
