/**
 * The fault suite (`npm run faults`, scripts/faults.ts) as assertions: the
 * pipeline through the CLI (deploy, produce from a fake OpenSky, then bridge
 * or an event source mapping of the local stack) with one fault each, counted
 * at an SQS queue subscribed to the topic. Counts only, never timings.
 *
 * Through `bridge`, scenarios c–i run here (about four minutes on two cores).
 * a and b (a broker of the suite's own SIGKILLed during produce / bridge) run
 * in `npm run faults` only: they take a broker start and ~2.5 minutes more,
 * and the same outages are asserted at the library level by
 * produce-outage.test.ts and bridge-outage.test.ts.
 *
 * Through a mapping, m-c (its worker SIGKILLed), m-d (the function throws),
 * m-g (the router restarted) and m-i (hostile records) run here: about two and
 * a half minutes more. m-b (a broker of the suite's own killed, ~1.5 minutes)
 * and m-e (timeouts: the same poller code as e) run in `npm run faults` only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stackEndpoints } from '../faults/harness.ts';
import { type FaultEnvironment, type FaultRow, scenarios } from '../faults/scenarios.ts';
import { type OwnBroker, startOwnBroker } from '../support/own-broker.ts';

const IN_CI = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'm-c', 'm-d', 'm-g', 'm-i'];

let broker: Promise<OwnBroker> | undefined;
const env: FaultEnvironment = {
  stack: stackEndpoints(),
  ownBroker: () => {
    broker ??= startOwnBroker();
    return broker;
  },
};

afterAll(async () => {
  await (await broker)?.dispose();
}, 60_000);

/** What every row must show: nothing lost or dead-lettered, duplicates within one batch per partition per fault. */
function expectGoal(row: FaultRow): void {
  // The row's own list first: it names every missed goal, including "the fault did not happen".
  expect(row.failures, row.note).toEqual([]);
  expect(row.expected).toBeGreaterThan(0);
  expect(row.lost).toBe(0);
  expect(row.unknown).toBe(0);
  expect(row.duplicates).toBeLessThanOrEqual(row.duplicateBound);
  expect(row.deadLettered).toBe(0);
  expect(row.running).toBe(true);
}

describe('fault suite through the CLI, by bridge and by event source mapping, on the real stack (npm run faults)', () => {
  const selected = scenarios.filter((scenario) => IN_CI.includes(scenario.id));

  it('has every scenario this file names', () => {
    expect(selected.map((scenario) => scenario.id)).toEqual(IN_CI);
  });

  for (const scenario of selected) {
    it(`${scenario.id}. ${scenario.title}: nothing lost or dead-lettered, no process down`, async () => {
      // Arrange + Act: the scenario deploys, produces, bridges, injects its fault and counts
      const row = await scenario.run(env);

      // Assert
      expectGoal(row);
      expect(row.via).toBe(scenario.id.startsWith('m-') ? 'mapping' : 'bridge');
      switch (row.id) {
        case 'c':
        case 'm-c':
          expect(row.facts.deliveredAtKill).toBeLessThan(row.expected);
          break;
        case 'd':
        case 'm-d':
          expect(row.facts.invokeFailures).toBe(3);
          break;
        case 'e':
          expect(row.facts.timedOut).toBeGreaterThanOrEqual(1);
          break;
        case 'f':
          expect(row.facts.throttled).toBeGreaterThan(0);
          break;
        case 'g':
          expect(row.facts.invokeFailures).toBeGreaterThan(0);
          break;
        case 'h':
          expect(row.facts.faultsServed).toBe(11);
          expect(row.facts.authorized).toBeGreaterThan(0);
          break;
        case 'm-g':
          expect(row.facts.deliveredAtRestart).toBeLessThan(row.expected);
          break;
        case 'i':
        case 'm-i':
          expect(row.facts.hostile).toBe(21);
          expect(row.facts.hostileMalformed).toBe(row.facts.hostile);
          break;
      }
    }, 400_000);
  }
});
