/**
 * The pure parts of `produce --ha`'s election: the timing derived from the
 * interval, the lease, the incumbent-keeps-it assignment, and the fallback
 * when a broker refuses the session timeout. (The election itself runs on a
 * real broker: test/integration/produce-standby.test.ts.)
 */
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import {
  chooseHolder,
  decodeIncumbent,
  encodeIncumbent,
  STANDBY_ASSIGNER,
  standbyAssigner,
} from '../../src/sources/standby-assigner.ts';
import { Lease, leaseLengthMs } from '../../src/sources/standby-lease.ts';
import { resolveStandbySourceOptions, sessionTimeoutForInterval } from '../../src/sources/standby-options.ts';
import {
  BROKER_DEFAULT_MIN_SESSION_TIMEOUT_MS,
  fitSessionTimeout,
  isInvalidSessionTimeout,
} from '../../src/sources/standby-session.ts';

const open = async function* () {};

describe('standby timing from the interval', () => {
  it('takes half the interval as the session timeout, from 1 s to 30 s', () => {
    expect(sessionTimeoutForInterval(3000)).toBe(1500);
    expect(sessionTimeoutForInterval(10_000)).toBe(5000);
    expect(sessionTimeoutForInterval(1000)).toBe(1000);
    expect(sessionTimeoutForInterval(500)).toBe(1000);
    expect(sessionTimeoutForInterval(216_000)).toBe(30_000);
  });

  it('derives the session timeout and a heartbeat of a third of it from intervalMs (3 s by default)', () => {
    const byDefault = resolveStandbySourceOptions({ topic: 't', open });
    expect(byDefault).toMatchObject({ intervalMs: 3000, sessionTimeoutMs: 1500, heartbeatIntervalMs: 500 });
    expect(resolveStandbySourceOptions({ topic: 't', open, intervalMs: 10_000 })).toMatchObject({
      sessionTimeoutMs: 5000,
      heartbeatIntervalMs: 1666,
    });
    expect(byDefault.group).toBe('t-producers');
  });

  it('keeps a session timeout and heartbeat given outright', () => {
    const o = resolveStandbySourceOptions({
      topic: 't',
      open,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 1000,
    });
    expect(o).toMatchObject({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 });
  });

  it.each([
    [{ intervalMs: 0 }, '/options/intervalMs'],
    [{ intervalMs: 1.5 }, '/options/intervalMs'],
    [{ sessionTimeoutMs: 999 }, '/options/sessionTimeoutMs'],
    [{ sessionTimeoutMs: 3000, heartbeatIntervalMs: 1001 }, '/options/heartbeatIntervalMs'],
    [{ sessionTimeoutMs: 1000, heartbeatIntervalMs: 50 }, '/options/heartbeatIntervalMs'],
    [{ readBackTimeoutMs: 0 }, '/options/readBackTimeoutMs'],
    [{ group: 'a b' }, '/options/group'],
  ])('rejects %o at %s', (bad, path) => {
    const attempt = () => resolveStandbySourceOptions({ topic: 't', open, ...bad });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(path);
  });
});

describe('Lease', () => {
  it('holds from when the acknowledged heartbeat was sent, for its length', () => {
    let now = 10_000;
    const lease = new Lease(1250, () => now);
    expect(lease.valid).toBe(false);
    lease.renew(9_900);
    expect(lease.valid).toBe(true);
    now = 11_149;
    expect(lease.valid).toBe(true);
    now = 11_150;
    expect(lease.valid).toBe(false);
  });

  it('is not shortened by an older acknowledgement, and ends when told', () => {
    let now = 0;
    const lease = new Lease(1000, () => now);
    lease.renew(500);
    lease.renew(100);
    now = 1200;
    expect(lease.valid).toBe(true);
    lease.end();
    expect(lease.valid).toBe(false);
  });

  it('a heartbeat answered long ago does not renew it after a pause', () => {
    // The answer to a heartbeat sent before a 10 s pause is read after it: the lease starts at the send.
    let now = 0;
    const lease = new Lease(leaseLengthMs(1500, 500), () => now);
    now = 10_000;
    lease.renew(0);
    expect(lease.valid).toBe(false);
  });

  it('ends half a heartbeat before the session timeout', () => {
    expect(leaseLengthMs(1500, 500)).toBe(1250);
    expect(leaseLengthMs(6000, 1000)).toBe(5500);
  });
});

describe('the standby assigner', () => {
  it('gives the control partition to the incumbent, else to the first member by id', () => {
    expect(
      chooseHolder([
        { memberId: 'a', incumbent: false },
        { memberId: 'c', incumbent: true },
        { memberId: 'b', incumbent: false },
      ]),
    ).toBe('c');
    expect(
      chooseHolder([
        { memberId: 'b', incumbent: false },
        { memberId: 'a', incumbent: false },
      ]),
    ).toBe('a');
    expect(
      chooseHolder([
        { memberId: 'd', incumbent: true },
        { memberId: 'c', incumbent: true },
      ]),
    ).toBe('c');
    expect(chooseHolder([])).toBeUndefined();
  });

  it('reads only its own one-byte flag as an incumbent', () => {
    expect(decodeIncumbent(encodeIncumbent(true))).toBe(true);
    expect(decodeIncumbent(encodeIncumbent(false))).toBe(false);
    expect(decodeIncumbent(Buffer.alloc(0))).toBe(false);
    expect(decodeIncumbent(Buffer.from([1, 0]))).toBe(false);
    expect(decodeIncumbent(null)).toBe(false);
  });

  it('announces the flag in its protocol metadata and assigns partition 0 to one member only', async () => {
    const groupId = 'feed-producers';
    const make = (incumbent: boolean) =>
      standbyAssigner(() => incumbent)({ cluster: {} as never, groupId, logger: {} as never });
    const members = [
      { memberId: 'm-1', memberMetadata: make(false).protocol({ topics: [groupId] }).metadata },
      { memberId: 'm-2', memberMetadata: make(true).protocol({ topics: [groupId] }).metadata },
    ];
    expect(make(true).protocol({ topics: [groupId] }).name).toBe(STANDBY_ASSIGNER);
    const assignments = await make(false).assign({ members, topics: [groupId] });
    const decoded = Object.fromEntries(
      assignments.map((a) => [
        a.memberId,
        AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment,
      ]),
    );
    expect(decoded).toEqual({ 'm-1': {}, 'm-2': { [groupId]: [0] } });
  });
});

describe('a broker that refuses the session timeout', () => {
  it('recognises INVALID_SESSION_TIMEOUT, also as the cause of another error', () => {
    const refused = Object.assign(new Error('refused'), { type: 'INVALID_SESSION_TIMEOUT' });
    expect(isInvalidSessionTimeout(refused)).toBe(true);
    expect(isInvalidSessionTimeout(Object.assign(new Error('wrapped'), { cause: refused }))).toBe(true);
    expect(isInvalidSessionTimeout(Object.assign(new Error('other'), { type: 'UNKNOWN_MEMBER_ID' }))).toBe(
      false,
    );
    expect(isInvalidSessionTimeout(undefined)).toBe(false);
  });

  it("takes the nearest value in the broker's bounds, or Kafka's default minimum when they are unknown", () => {
    expect(fitSessionTimeout(1500, { min: 6000, max: 1_800_000 })).toBe(6000);
    expect(fitSessionTimeout(1500, { min: 1000, max: 1_800_000 })).toBe(1500);
    expect(fitSessionTimeout(60_000, { min: 1000, max: 30_000 })).toBe(30_000);
    expect(fitSessionTimeout(1500, undefined)).toBe(BROKER_DEFAULT_MIN_SESSION_TIMEOUT_MS);
    expect(fitSessionTimeout(9000, undefined)).toBe(9000);
  });
});
