// The leader's role in a distributed group: catch up with the config topic,
// then decide with the incremental cooperative assignor who runs what, and
// notice when the configured work changed since it last assigned (a
// connector or task added or removed needs another round).
import { IncrementalCooperativeAssignor, type ConfiguredWork } from '../../distributed/assignor.js';
import {
  ASSIGNMENT_CONFIG_MISMATCH,
  ASSIGNMENT_NO_ERROR,
  CONNECT_PROTOCOL_V2,
  decodeMetadata,
  encodeAssignment,
  splitConnectorTasks,
} from '../../distributed/connect-protocol.js';
import type { AssignContext, GroupMember } from '../../distributed/group-membership.js';
import type { ConfigSnapshot, KafkaConfigStore } from '../../storage/kafka-config-store.js';
import type { Logger } from '../../util/logging.js';
import { taskKey, type TaskId } from '../../vocabulary/task-id.js';

export interface LeaderOptions {
  readonly configs: KafkaConfigStore;
  readonly log: Logger;
  /** This worker's REST URL (the assignment's leader URL). */
  readonly url: string;
  readonly scheduledRebalanceMaxDelayMs: number;
  readonly now: () => number;
}

export class Leader {
  private readonly assignor: IncrementalCooperativeAssignor;
  /** Whether this worker led the last round it took part in. */
  private wasLeader = false;
  /** The work when this worker last assigned, to notice config changes that need a rebalance. */
  private assignedWork = '';

  constructor(private readonly options: LeaderOptions) {
    this.assignor = new IncrementalCooperativeAssignor(options.scheduledRebalanceMaxDelayMs);
  }

  /** Records whether this worker leads the generation just assigned. */
  led(isLeader: boolean): void {
    this.wasLeader = isLeader;
  }

  /** True when this worker leads and the configured connectors or tasks changed since it assigned them. */
  workChanged(): boolean {
    return this.wasLeader && workSignature(configuredWork(this.options.configs.snapshot())) !== this.assignedWork;
  }

  /** Catches up with the config topic, then runs the assignor; members ahead of the leader re-read and rejoin. */
  async assign(members: GroupMember[], context: AssignContext): Promise<Map<string, Buffer>> {
    const { configs, log } = this.options;
    const decoded = members.map((m) => ({ memberId: m.memberId, metadata: decodeMetadata(m.metadata) }));
    const wanted = decoded.reduce((max, m) => (m.metadata.configOffset > max ? m.metadata.configOffset : max), -1n);
    await configs.refresh();
    if (configs.snapshot().offset < wanted) await configs.refresh();
    const snapshot = configs.snapshot();
    const header = {
      version: CONNECT_PROTOCOL_V2,
      leader: context.leaderId,
      leaderUrl: this.options.url,
      configOffset: snapshot.offset,
    };
    const out = new Map<string, Buffer>();
    if (snapshot.offset < wanted) {
      log.warn('Leader is behind a member on the config topic: members re-read it and rejoin', {
        leaderOffset: String(snapshot.offset),
        memberOffset: String(wanted),
      });
      for (const m of decoded)
        out.set(
          m.memberId,
          encodeAssignment({ ...header, error: ASSIGNMENT_CONFIG_MISMATCH, assigned: [], revoked: [], delay: 0 }),
        );
      return out;
    }
    // The previous rounds are only ours to remember if we led them.
    if (!this.wasLeader) this.assignor.reset();
    const work = configuredWork(snapshot);
    const reports = decoded.map(({ memberId, metadata }) => {
      const held = splitConnectorTasks(metadata.allocation?.assigned ?? []);
      return {
        memberId,
        url: metadata.url,
        connectors: held.connectors,
        tasks: held.tasks,
        draining: metadata.draining ?? false,
      };
    });
    const result = this.assignor.assign(reports, work, this.options.now());
    this.assignedWork = workSignature(work);
    for (const [memberId, a] of result) {
      out.set(memberId, encodeAssignment({ ...header, error: ASSIGNMENT_NO_ERROR, ...a }));
    }
    log.info('Computed assignments', {
      generation: context.generationId,
      members: members.length,
      connectors: work.connectors.length,
      tasks: work.tasks.length,
      assignments: Object.fromEntries(
        [...result].map(([id, a]) => [
          reports.find((r) => r.memberId === id)?.url ?? id,
          { assigned: a.assigned, revoked: a.revoked, delay: a.delay },
        ]),
      ),
    });
    return out;
  }
}

/** Every connector and every committed task of the config topic. */
export function configuredWork(snapshot: ConfigSnapshot): ConfiguredWork {
  const connectors: string[] = [];
  const tasks: TaskId[] = [];
  for (const [connector, s] of snapshot.connectors) {
    connectors.push(connector);
    for (let task = 0; task < s.taskConfigs.length; task++) tasks.push({ connector, task });
  }
  return { connectors, tasks };
}

function workSignature(work: ConfiguredWork): string {
  return JSON.stringify([work.connectors, work.tasks.map(taskKey)]);
}
