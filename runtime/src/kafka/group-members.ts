// Takes members a dead process left behind out of a consumer group. kafkajs
// 2.2.4 has no static membership (group.instance.id), so a sink task that
// comes back after a SIGKILL, or whose consumer restarted after a broker
// restart, joins under a new member id, and the coordinator holds the
// rebalance until the old member's session times out (45 s by default: the
// 45 to 85 s without delivery after a crash). A LeaveGroup naming the old
// member id ends that wait at once: the group rebalances with the live
// members only. The member ids come from DescribeGroups; LeaveGroup goes
// through kafkajs's internal broker layer (distributed/kafkajs-internals.ts).
import type { Kafka } from 'kafkajs';
import { kafkaJsGroupClusters } from '../distributed/kafkajs-internals.js';

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
}

/** Removes the members of `groupId` that `select` picks; returns their member ids. */
export async function removeGroupMembers(
  kafka: Kafka,
  groupId: string,
  select: (member: GroupMember) => boolean,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = (groups[0]?.members ?? []).filter(select);
    if (members.length === 0) return [];
    const cluster = kafkaJsGroupClusters(kafka)();
    await cluster.connect();
    try {
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      const removed: string[] = [];
      for (const { memberId } of members) {
        try {
          await coordinator.leaveGroup({ groupId, memberId });
          removed.push(memberId);
        } catch (err) {
          // Gone already (its session ended, or it left by itself): what we wanted.
          if ((err as { type?: string }).type !== 'UNKNOWN_MEMBER_ID') throw err;
        }
      }
      return removed;
    } finally {
      await cluster.disconnect().catch(() => undefined);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
