import { expect } from 'chai';
import { IncrementalCooperativeAssignor, type ConfiguredWork, type MemberReport } from './assignor.js';
import { splitConnectorTasks } from './connect-protocol.js';
import type { TaskId } from '../vocabulary/task-id.js';

interface SimWorker {
  memberId: string;
  url: string;
  connectors: Set<string>;
  tasks: Set<string>; // "c/n"
  draining?: boolean;
  /** how often each unit was started on this worker */
  starts: Map<string, number>;
}

const worker = (n: number, url = `http://w${n}:8083`): SimWorker => ({
  memberId: `m${n}`,
  url,
  connectors: new Set(),
  tasks: new Set(),
  starts: new Map(),
});

function work(spec: Record<string, number>): ConfiguredWork {
  const connectors = Object.keys(spec);
  const tasks: TaskId[] = [];
  for (const [connector, n] of Object.entries(spec))
    for (let task = 0; task < n; task++) tasks.push({ connector, task });
  return { connectors, tasks };
}

function report(w: SimWorker): MemberReport {
  return {
    memberId: w.memberId,
    url: w.url,
    connectors: [...w.connectors],
    tasks: [...w.tasks].map((t) => ({ connector: t.split('/')[0]!, task: Number(t.split('/')[1]) })),
    draining: w.draining ?? false,
  };
}

/** One round: the leader assigns, each worker stops revoked and starts assigned work. Returns the max delay. */
function round(a: IncrementalCooperativeAssignor, workers: SimWorker[], configured: ConfiguredWork, now = 0) {
  const result = a.assign(workers.map(report), configured, now);
  let revocations = 0;
  let delay = 0;
  for (const w of workers) {
    const r = result.get(w.memberId)!;
    delay = Math.max(delay, r.delay);
    const rev = splitConnectorTasks(r.revoked);
    revocations += rev.connectors.length + rev.tasks.length;
    for (const c of rev.connectors) w.connectors.delete(c);
    for (const t of rev.tasks) w.tasks.delete(`${t.connector}/${t.task}`);
    const add = splitConnectorTasks(r.assigned);
    for (const c of add.connectors) {
      expect(w.connectors.has(c), `${c} assigned twice to ${w.memberId}`).to.equal(false);
      w.connectors.add(c);
      w.starts.set(c, (w.starts.get(c) ?? 0) + 1);
    }
    for (const t of add.tasks) {
      const key = `${t.connector}/${t.task}`;
      w.tasks.add(key);
      w.starts.set(key, (w.starts.get(key) ?? 0) + 1);
    }
  }
  return { revocations, delay };
}

/** Rounds until nobody revokes (a worker that revoked rejoins at once). */
function settle(a: IncrementalCooperativeAssignor, workers: SimWorker[], configured: ConfiguredWork, now = 0) {
  let rounds = 0;
  for (;;) {
    rounds++;
    const { revocations, delay } = round(a, workers, configured, now);
    if (revocations === 0) return { rounds, delay };
    if (rounds > 5) throw new Error('did not settle');
  }
}

function everywhere(workers: SimWorker[]) {
  const tasks = workers.flatMap((w) => [...w.tasks]);
  const connectors = workers.flatMap((w) => [...w.connectors]);
  return { tasks: tasks.sort(), connectors: connectors.sort() };
}

describe('IncrementalCooperativeAssignor', () => {
  it('spreads connectors and tasks evenly over new workers, each unit exactly once', () => {
    const a = new IncrementalCooperativeAssignor(30_000);
    const ws = [worker(1), worker(2), worker(3)];
    const conf = work({ a: 3, b: 3 });
    settle(a, ws, conf);
    expect(ws.map((w) => w.tasks.size)).to.deep.equal([2, 2, 2]);
    expect(ws.map((w) => w.connectors.size).sort()).to.deep.equal([0, 1, 1]);
    expect(everywhere(ws).tasks).to.deep.equal(['a/0', 'a/1', 'a/2', 'b/0', 'b/1', 'b/2']);
  });

  it('moves only what must move when a fourth worker joins (2/2/1/1), restarting nothing else', () => {
    const a = new IncrementalCooperativeAssignor(30_000);
    const ws = [worker(1), worker(2), worker(3)];
    const conf = work({ a: 3, b: 3 });
    settle(a, ws, conf);
    const before = new Map(ws.map((w) => [w.memberId, new Set(w.tasks)]));
    ws.push(worker(4));
    const { rounds } = settle(a, ws, conf);
    expect(rounds).to.equal(2);
    expect(ws.map((w) => w.tasks.size).sort()).to.deep.equal([1, 1, 2, 2]);
    expect(everywhere(ws).tasks).to.have.length(6);
    // Tasks that stayed were started exactly once.
    for (const w of ws.slice(0, 3))
      for (const t of w.tasks) {
        expect(before.get(w.memberId)!.has(t)).to.equal(true);
        expect(w.starts.get(t)).to.equal(1);
      }
    // One task left an old worker and one arrived at the new one: nothing else moved.
    const moved =
      ws[3]!.tasks.size + ws.slice(0, 3).reduce((n, w) => n + (before.get(w.memberId)!.size - w.tasks.size), 0);
    expect(moved).to.equal(2);
  });

  it('keeps lost work for its worker during the delay, then reassigns it', () => {
    const a = new IncrementalCooperativeAssignor(30_000);
    const ws = [worker(1), worker(2), worker(3)];
    const conf = work({ a: 6 });
    settle(a, ws, conf, 0);
    const gone = ws.pop()!;
    const r1 = round(a, ws, conf, 1_000);
    expect(r1.delay).to.equal(30_000);
    expect(everywhere(ws).tasks).to.have.length(4);
    const r2 = round(a, ws, conf, 20_000);
    expect(r2.delay).to.equal(11_000);
    expect(everywhere(ws).tasks).to.have.length(4);
    const r3 = round(a, ws, conf, 31_000);
    expect(r3.delay).to.equal(0);
    expect(everywhere(ws).tasks).to.deep.equal(['a/0', 'a/1', 'a/2', 'a/3', 'a/4', 'a/5']);
    expect(ws.map((w) => w.tasks.size)).to.deep.equal([3, 3]);
    expect(gone.tasks.size).to.equal(2);
  });

  it('gives lost work straight back to a worker that returns under the same URL with a new member id', () => {
    const a = new IncrementalCooperativeAssignor(300_000);
    const ws = [worker(1), worker(2), worker(3)];
    const conf = work({ a: 6 });
    settle(a, ws, conf, 0);
    const held = [...ws[2]!.tasks].sort();
    ws.pop();
    round(a, ws, conf, 1_000);
    const back = worker(9, 'http://w3:8083');
    ws.push(back);
    const r = round(a, ws, conf, 2_000);
    expect(r.delay).to.equal(0);
    expect([...back.tasks].sort()).to.deep.equal(held);
  });

  it('reassigns immediately when the delay is zero', () => {
    const a = new IncrementalCooperativeAssignor(0);
    const ws = [worker(1), worker(2)];
    const conf = work({ a: 4 });
    settle(a, ws, conf);
    ws.pop();
    round(a, ws, conf, 10);
    expect(ws[0]!.tasks.size).to.equal(4);
  });

  it('drains a worker: everything it runs is revoked, then handed to the others', () => {
    const a = new IncrementalCooperativeAssignor(30_000);
    const ws = [worker(1), worker(2), worker(3)];
    const conf = work({ a: 3, b: 3 });
    settle(a, ws, conf);
    ws[1]!.draining = true;
    const r = round(a, ws, conf);
    expect(r.revocations).to.be.greaterThan(0);
    expect(ws[1]!.tasks.size + ws[1]!.connectors.size).to.equal(0);
    settle(a, ws, conf);
    expect(ws[1]!.tasks.size).to.equal(0);
    expect(ws[0]!.tasks.size + ws[2]!.tasks.size).to.equal(6);
    expect(everywhere(ws).connectors).to.deep.equal(['a', 'b']);
  });

  it('revokes deleted work and assigns new work without touching the rest', () => {
    const a = new IncrementalCooperativeAssignor(30_000);
    const ws = [worker(1), worker(2)];
    settle(a, ws, work({ a: 2, b: 2 }));
    const bTasks = ws.map((w) => [...w.tasks].filter((t) => t.startsWith('b/')));
    settle(a, ws, work({ b: 2, c: 2 }));
    expect(everywhere(ws).tasks).to.deep.equal(['b/0', 'b/1', 'c/0', 'c/1']);
    expect(everywhere(ws).connectors).to.deep.equal(['b', 'c']);
    ws.forEach((w, i) => {
      for (const t of bTasks[i]!) expect(w.starts.get(t)).to.equal(1);
    });
  });

  it('revokes a unit running on two workers from the one that did not hold it before', () => {
    const a = new IncrementalCooperativeAssignor(30_000);
    const ws = [worker(1), worker(2)];
    const conf = work({ a: 2 });
    settle(a, ws, conf);
    const holder = ws.find((w) => w.tasks.has('a/0'))!;
    const other = ws.find((w) => w !== holder)!;
    other.tasks.add('a/0');
    round(a, ws, conf);
    expect(holder.tasks.has('a/0')).to.equal(true);
    expect(other.tasks.has('a/0')).to.equal(false);
  });
});
