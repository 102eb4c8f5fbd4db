/**
 * The partition assigner of a standby group: the control partition stays
 * with the member that polls (the incumbent) whenever it is still in the
 * group, so a member that joins or comes back (a restarted host, a process
 * resumed after a pause) does not take the polling away and cause a second
 * handover.
 *
 * @module
 */
import type { PartitionAssigner } from 'kafkajs';
import { AssignerProtocol } from '../kafka/kafkajs.ts';

/** The protocol name members announce; every producer of this library speaks it. */
export const STANDBY_ASSIGNER = 'opensky-stream-standby';

/** A member as the assigner sees it. */
export interface StandbyMember {
  memberId: string;
  /** It held the control partition before this rebalance and its lease is still good. */
  incumbent: boolean;
}

/**
 * The member that gets the control partition: an incumbent when there is one,
 * else the first by member id (the order Kafka's round-robin assigner uses);
 * ties between incumbents (which a lease makes all but impossible) by member id too.
 */
export function chooseHolder(members: readonly StandbyMember[]): string | undefined {
  const sorted = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  return (sorted.find((m) => m.incumbent) ?? sorted[0])?.memberId;
}

/** The member metadata's user data: one byte, 1 for an incumbent. */
export function encodeIncumbent(incumbent: boolean): Buffer {
  return Buffer.from([incumbent ? 1 : 0]);
}

/** Reads {@link encodeIncumbent}'s byte; anything else (another client, no data) is not an incumbent. */
export function decodeIncumbent(userData: Buffer | null | undefined): boolean {
  return userData?.length === 1 && userData[0] === 1;
}

/**
 * A kafkajs partition assigner for the control topic: partition 0 to
 * {@link chooseHolder}'s member, nothing to the others. `incumbent()` is asked
 * at every join.
 */
export function standbyAssigner(incumbent: () => boolean): PartitionAssigner {
  return () => ({
    name: STANDBY_ASSIGNER,
    version: 1,
    protocol({ topics }) {
      return {
        name: STANDBY_ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: encodeIncumbent(incumbent()),
        }),
      };
    },
    async assign({ members, topics }) {
      const holder = chooseHolder(
        members.map((m) => ({
          memberId: m.memberId,
          incumbent: decodeIncumbent(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
        })),
      );
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: m.memberId === holder ? Object.fromEntries(topics.map((t) => [t, [0]])) : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}
