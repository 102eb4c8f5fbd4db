/**
 * The live page's Kafka view as a person uses it: `opensky-stream ui` on the real broker, the
 * page opened in Chromium (Debian's, driven by playwright-core, as test/integration/ui.test.ts
 * does), showing a fresh topic's partitions and end offsets, a consumer group's lag per
 * partition, and the newest messages with key, headers and pretty-printed value; refreshed as
 * records arrive; leaving no consumer group of its own behind and no group's offsets moved.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLivePage } from '../../src/cli/live-page.ts';
import { createKafkaClient } from '../../src/kafka/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { VIEW_GROUP_PREFIX } from '../../src/ui/kafka-view-read.ts';
import { type RunningCli, startCli } from '../support/cli.ts';
import { kafkaBrokers, uniqueName } from '../support/env.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Records per partition: end offsets 4, 3 and 2.
const PER_PARTITION = [4, 3, 2];
// What the group commits: 3 of partition 0, 1 of partition 1, nothing of partition 2.
const COMMITTED: Record<number, number> = { 0: 3, 1: 1 };

const record = (partition: number, i: number) => ({
  partition,
  key: `key-${partition}-${i}`,
  value: JSON.stringify({ icao24: `a${partition}${i}`, position: { lat: 47.4 + i, lon: 8.5 } }),
  headers: { 'trace-id': `trace-${partition}-${i}`, source: 'kafka-view-test' },
});

describe('Kafka view: opensky-stream ui in Chromium', () => {
  const topic = uniqueName('kview');
  const groupId = `${topic}-readers`;
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'kafka-view-test' });
  const admin = kafka.admin();
  let consumer: Consumer;
  let ui: RunningCli;
  let url: string;
  let browser: BrowserContext | undefined;
  let page: Page;
  const errors: string[] = [];
  const userDataDir = mkdtempSync(join(tmpdir(), 'opensky-stream-chromium-'));
  const shots = mkdtempSync(join(tmpdir(), 'opensky-stream-kafka-view-'));

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: PER_PARTITION.flatMap((count, partition) =>
        Array.from({ length: count }, (_, i) => record(partition, i)),
      ),
    });
    await producer.disconnect();

    // A group that read everything and committed only part of it; it stays a member.
    consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let seen = 0;
    const all = PER_PARTITION.reduce((a, b) => a + b, 0);
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async () => {
            if (++seen === all) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.commitOffsets(
      Object.entries(COMMITTED).map(([partition, offset]) => ({
        topic,
        partition: Number(partition),
        offset: String(offset),
      })),
    );

    ui = startCli(['ui', '--ui-port', '0', '--topic', topic], {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      OPENSKY_STREAM_LOG_LEVEL: 'info',
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /live page: (http:\/\/\S+?)"/.exec(ui.output().stderr);
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        } else if (ui.child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`ui exited (${ui.child.exitCode}):\n${ui.output().stderr}`));
        }
      }, 100);
    });
    browser = await chromium.launchPersistentContext(userDataDir, {
      viewport: { width: 1400, height: 1000 },
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await consumer?.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    rmSync(userDataDir, { recursive: true, force: true });
  }, 60_000);

  const text = (selector: string) =>
    page.$eval(selector, (el) => (el.textContent ?? '').trim()).catch(() => undefined);

  it('opens on the Kafka view: the topic with its partitions and end offsets', async () => {
    const row = (partition: number) =>
      `#kafka-topics tr[data-topic="${topic}"][data-partition="${partition}"]`;
    await page.waitForSelector(row(2), { timeout: 30_000 });
    expect(await page.$eval('#kafka', (el) => (el as HTMLElement).hidden)).toBe(false);
    for (const [partition, count] of PER_PARTITION.entries()) {
      expect(await text(`${row(partition)} [data-col="low"]`)).toBe('0');
      expect(await text(`${row(partition)} [data-col="high"]`)).toBe(String(count));
    }
    expect(await text(`${row(0)} [data-col="records"]`)).toBe('9');
    // Kafka's own topics are not listed.
    expect(await page.$$('#kafka-topics tr[data-topic="__consumer_offsets"]')).toHaveLength(0);
  }, 60_000);

  it('shows the group with its state, members, committed offsets and lag per partition', async () => {
    const row = (partition: number) =>
      `#kafka-groups tr[data-group="${groupId}"][data-partition="${partition}"]`;
    await page.waitForSelector(row(2), { timeout: 30_000 });
    expect(await text(`${row(0)} [data-col="state"]`)).toBe('Stable');
    expect(await text(`${row(0)} [data-col="members"]`)).toBe('1');
    expect(await text(`${row(0)} [data-col="committed"]`)).toBe('3');
    expect(await text(`${row(1)} [data-col="committed"]`)).toBe('1');
    expect(await text(`${row(2)} [data-col="committed"]`)).toBe('–');
    // Lag: end minus committed; a partition never committed counts whole.
    expect(await text(`${row(0)} [data-col="lag"]`)).toBe('1');
    expect(await text(`${row(1)} [data-col="lag"]`)).toBe('2');
    expect(await text(`${row(2)} [data-col="lag"]`)).toBe('2');
    // The view's own reads are not groups anyone should see.
    expect(await page.$$(`#kafka-groups tr[data-group^="${VIEW_GROUP_PREFIX}"]`)).toHaveLength(0);
  }, 60_000);

  it('shows the newest messages with key, headers and the value pretty-printed', async () => {
    await page.waitForFunction(
      () => document.querySelectorAll('#kafka-messages tbody tr').length === 9,
      null,
      {
        timeout: 30_000,
      },
    );
    expect(await page.$eval('#kafka-topic', (el) => (el as HTMLSelectElement).value)).toBe(topic);
    const row = '#kafka-messages tr[data-partition="0"][data-offset="3"]';
    expect(await text(`${row} [data-col="key"]`)).toBe('key-0-3');
    expect(await text(`${row} [data-col="headers"]`)).toBe('trace-id: trace-0-3\nsource: kafka-view-test');
    expect(await text(`${row} [data-col="value"] pre`)).toBe(
      JSON.stringify(JSON.parse(record(0, 3).value), null, 2),
    );
    expect(await page.$eval(`${row} [data-col="value"]`, (el) => (el as HTMLElement).dataset.format)).toBe(
      'json',
    );
  }, 60_000);

  it('refreshes as records arrive', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [record(2, 2)] });
    await producer.disconnect();
    await page.waitForFunction(
      (t) =>
        document
          .querySelector(`#kafka-topics tr[data-topic="${t}"][data-partition="2"] [data-col="high"]`)
          ?.textContent?.trim() === '3',
      topic,
      { timeout: 30_000 },
    );
    await page.waitForSelector('#kafka-messages tr[data-partition="2"][data-offset="2"]', {
      timeout: 30_000,
    });
    expect(await text('#kafka-messages tr[data-partition="2"][data-offset="2"] [data-col="key"]')).toBe(
      'key-2-2',
    );
    await page.waitForFunction(
      (g) =>
        document
          .querySelector(`#kafka-groups tr[data-group="${g}"][data-partition="2"] [data-col="lag"]`)
          ?.textContent?.trim() === '3',
      groupId,
      { timeout: 30_000 },
    );
    const shot = join(shots, 'kafka-view.png');
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(`kafka view: screenshot ${shot} (${statSync(shot).size} bytes)\n`);
  }, 90_000);

  it('switches to the map and back', async () => {
    await page.click('#tabs button[data-view="map"]');
    expect(await page.$eval('#kafka', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#map', (el) => (el as HTMLElement).offsetWidth > 0)).toBe(true);
    await page.click('#tabs button[data-view="kafka"]');
    expect(await page.$eval('#kafka', (el) => (el as HTMLElement).hidden)).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('answers topics and the view over HTTP from demo and tail alike (--brokers, or KAFKA_BROKERS)', async () => {
    const brokers = kafkaBrokers().join(',');
    for (const [argv, env] of [
      [{ ui: true, 'ui-port': 0, brokers, topic }, {}],
      [{ ui: true, 'ui-port': 0 }, { KAFKA_BROKERS: brokers }],
    ] as const) {
      const live = await openLivePage(argv, silentLogger, 'test', env);
      try {
        const topics = (await (await fetch(`${live!.url}kafka/topics`)).json()) as {
          topics: Array<{ name: string; records: number }>;
        };
        expect(topics.topics.find((t) => t.name === topic)).toMatchObject({ records: 10 });
        const messages = await fetch(`${live!.url}kafka/topics/${topic}/messages?limit=2`);
        expect(messages.status).toBe(200);
        expect(((await messages.json()) as { messages: unknown[] }).messages).toHaveLength(2);
      } finally {
        await live?.close();
      }
    }
    // Without brokers the page has no Kafka view, and says so.
    const plain = await openLivePage({ ui: true, 'ui-port': 0 }, silentLogger, 'test', {});
    try {
      const response = await fetch(`${plain!.url}kafka/topics`);
      expect(response.status).toBe(404);
    } finally {
      await plain?.close();
    }
  }, 60_000);

  it('reads without moving the group, and leaves no group of its own behind once stopped', async () => {
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(Object.fromEntries(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]))).toEqual({
      0: 3,
      1: 1,
      2: -1,
    });
    // While the view is open a read may be under way (its group exists for that long): stop both first.
    await page.close();
    const result = await ui.stop();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/"msg":"done"/);
    const { groups } = await admin.listGroups();
    expect(groups.filter((g) => g.groupId.startsWith(VIEW_GROUP_PREFIX))).toEqual([]);
  }, 30_000);
});
