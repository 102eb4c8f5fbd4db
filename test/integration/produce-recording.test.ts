/**
 * issue 17's "Done when": a readsb aircraft.json made from OpenSky recordings, through
 * `produce --source readsb --source-url` → Kafka → the function (event source mapping)
 * → SNS, has the aircraft, values and countries OpenSky reported, within the rounding
 * of readsb's format. The recordings: one this test generates (always), and the real
 * shared one (../shared/fixtures) when it is present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStatesResponse } from '../../src/domain/state-vector.ts';
import type { FlightRecord, StateVector } from '../../src/domain/types.ts';
import {
  METRES_PER_FOOT,
  METRES_PER_SECOND_PER_FPM,
  METRES_PER_SECOND_PER_KNOT,
} from '../../src/readsb/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { removePipelineResources } from '../support/cleanup.ts';
import { runCli } from '../support/cli.ts';
import { awsClientConfig, awsEndpoint, cliEnv, kafkaBrokers, pipelineNames } from '../support/env.ts';
import { type ReadsbTestServer, startReadsbServer } from '../support/readsb-server.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';
import { readTopic } from '../support/topic-records.ts';

const SHARED = fileURLToPath(
  new URL('../../../shared/fixtures/opensky/states-all-18field-category-1649392659.json', import.meta.url),
);
const PER_RECORDING = 25;

/** Airborne aircraft with everything a readsb row carries, `count` spread over the snapshot. */
function pick(states: StateVector[], count: number): StateVector[] {
  const full = states.filter(
    (sv) =>
      !sv.on_ground &&
      sv.latitude !== null &&
      sv.longitude !== null &&
      sv.baro_altitude !== null &&
      sv.velocity !== null &&
      sv.time_position !== null &&
      sv.callsign?.trim(),
  );
  const step = Math.max(1, Math.floor(full.length / count));
  return full.filter((_, i) => i % step === 0).slice(0, count);
}

const r = (value: number, digits: number) => Number(value.toFixed(digits));

/** OpenSky's vector as a receiver would write it: readsb's units and its usual precision. */
function readsbRow(sv: StateVector, now: number): Record<string, unknown> {
  return {
    hex: sv.icao24,
    type: 'adsb_icao',
    flight: sv.callsign,
    alt_baro: Math.round(sv.baro_altitude! / METRES_PER_FOOT),
    ...(sv.geo_altitude === null ? {} : { alt_geom: Math.round(sv.geo_altitude / METRES_PER_FOOT) }),
    gs: r(sv.velocity! / METRES_PER_SECOND_PER_KNOT, 1),
    ...(sv.true_track === null ? {} : { track: r(sv.true_track, 2) }),
    ...(sv.vertical_rate === null
      ? {}
      : { baro_rate: Math.round(sv.vertical_rate / METRES_PER_SECOND_PER_FPM) }),
    lat: r(sv.latitude!, 6),
    lon: r(sv.longitude!, 6),
    seen_pos: now - sv.time_position!,
    seen: now - sv.last_contact,
    ...(sv.squawk ? { squawk: sv.squawk } : {}),
  };
}

interface Recording {
  name: string;
  time: number;
  states: StateVector[];
}

function recordings(): Recording[] {
  const generated = parseStatesResponse(
    generateSnapshot({ aircraft: 400, seed: 17, time: 1_722_515_700 }),
  ).response;
  const out: Recording[] = [];
  if (existsSync(SHARED)) {
    const real = parseStatesResponse(JSON.parse(readFileSync(SHARED, 'utf8'))).response;
    out.push({ name: 'shared recording', time: real.time, states: pick(real.states ?? [], PER_RECORDING) });
  }
  // Generated last: aircraft.json's `now` must grow from one file to the next.
  out.push({
    name: 'generated recording',
    time: generated.time,
    states: pick(generated.states ?? [], PER_RECORDING),
  });
  return out;
}

describe('produce --source readsb from OpenSky recordings → Kafka → function → SNS', () => {
  const names = pipelineNames('recording');
  const env = cliEnv();
  const sets = recordings();
  const expected = new Map(sets.flatMap((set) => set.states.map((sv) => [sv.icao24, sv] as const)));
  let receiver: ReadsbTestServer | undefined;
  let queue: Subscription | undefined;
  let topicArn = '';

  afterAll(async () => {
    await queue?.close();
    await receiver?.close();
    await runCli(['destroy', '--function-name', names.fn, '--topic-name', names.snsTopic, '--yes'], env);
    await removePipelineResources({ functionName: names.fn, topicArn, kafkaTopic: names.topic });
  });

  it('delivers the aircraft OpenSky reported, with its values and countries', async () => {
    // Arrange: one aircraft.json per recording, served in turn.
    const files = sets.map((set) => ({
      now: set.time,
      messages: 1000,
      aircraft: set.states.map((sv) => readsbRow(sv, set.time)),
    }));
    receiver = await startReadsbServer((n) => ({ body: files[Math.min(n, files.length - 1)] }));
    topicArn = (await new SNSClient(awsClientConfig()).send(new CreateTopicCommand({ Name: names.snsTopic })))
      .TopicArn!;
    queue = await subscribeQueue(topicArn);

    // Act: produce, then deploy the function with its event source mapping (from the start).
    const produce = await runCli(
      [
        'produce',
        '--source',
        'readsb',
        '--source-url',
        `${receiver.url}/data/aircraft.json`,
        '--interval',
        '300ms',
        '--max-snapshots',
        String(files.length),
        '--topic',
        names.topic,
      ],
      env,
      90_000,
    );
    expect(produce.code, produce.stderr).toBe(0);
    const deploy = await runCli(
      [
        'deploy',
        '--function-name',
        names.fn,
        '--topic-name',
        names.snsTopic,
        '--topic',
        names.topic,
        '--kafka-bootstrap-servers',
        kafkaBrokers().join(','),
        '--endpoint-url',
        awsEndpoint(),
      ],
      env,
      120_000,
    );
    expect(deploy.code, deploy.stderr).toBe(0);

    // Assert: Kafka holds OpenSky's vectors, within the rounding of readsb's units.
    const records = await readTopic(names.topic, expected.size);
    expect(records).toHaveLength(expected.size);
    for (const { value } of records) {
      const sv = expected.get(value.icao24)!;
      expect(sv, value.icao24).toBeDefined();
      expect(value).toMatchObject({
        icao24: sv.icao24,
        callsign: sv.callsign,
        origin_country: sv.origin_country,
        time_position: sv.time_position,
        last_contact: sv.last_contact,
        on_ground: false,
        squawk: sv.squawk,
        snapshot_time: value.snapshot_time,
      });
      // Half a unit of readsb's precision, and the 2 decimals of the conversion.
      expect(Math.abs(value.baro_altitude! - sv.baro_altitude!)).toBeLessThanOrEqual(
        METRES_PER_FOOT / 2 + 0.005,
      );
      expect(Math.abs(value.velocity! - sv.velocity!)).toBeLessThanOrEqual(
        0.05 * METRES_PER_SECOND_PER_KNOT + 0.005,
      );
      expect(Math.abs(value.latitude! - sv.latitude!)).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(value.longitude! - sv.longitude!)).toBeLessThanOrEqual(5e-7);
      if (sv.true_track !== null)
        expect(Math.abs(value.true_track! - sv.true_track)).toBeLessThanOrEqual(0.005);
      if (sv.vertical_rate !== null)
        expect(Math.abs(value.vertical_rate! - sv.vertical_rate)).toBeLessThanOrEqual(
          METRES_PER_SECOND_PER_FPM / 2 + 0.005,
        );
      if (sv.geo_altitude !== null)
        expect(Math.abs(value.geo_altitude! - sv.geo_altitude)).toBeLessThanOrEqual(
          METRES_PER_FOOT / 2 + 0.005,
        );
    }
    // And SNS has the function's flight record of each: OpenSky's country, feet and knots.
    // (the function, like the transform, leaves out what is not in the air: a negative altitude).
    const flying = [...expected.values()].filter((sv) => transformStateVector(sv) !== null);
    expect(flying.length).toBeGreaterThan(expected.size * 0.9);
    const messages = await queue.receive(flying.length, 90_000);
    const flights = new Map(
      messages.map((m) => {
        const flight = JSON.parse(m.Body ?? '{}') as FlightRecord;
        return [flight.icao24, { flight, country: m.MessageAttributes?.origin_country?.StringValue }];
      }),
    );
    expect([...flights.keys()].sort()).toEqual(flying.map((sv) => sv.icao24).sort());
    for (const sv of flying) {
      const icao24 = sv.icao24;
      const want = transformStateVector(sv)!;
      const { flight, country } = flights.get(icao24)!;
      expect(flight).toMatchObject({
        icao24,
        callsign: want.callsign,
        origin_country: sv.origin_country,
        time_position: want.time_position,
      });
      expect(country).toBe(sv.origin_country);
      expect(Math.abs(flight.altitude_feet - want.altitude_feet)).toBeLessThanOrEqual(1);
      expect(Math.abs(flight.velocity_knots! - want.velocity_knots!)).toBeLessThanOrEqual(1);
    }
  }, 300_000);
});
