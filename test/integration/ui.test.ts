/**
 * The live page as a person uses it: `opensky-stream demo` on the real stack, the page opened
 * in Chromium (Debian's, driven by playwright-core), aircraft drawn and the health panel
 * filled. Also measures the page's redraw cost at 10,000 aircraft.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEndpoint, kafkaBrokers } from '../support/env.ts';

const bin = fileURLToPath(new URL('../../bin/opensky-stream.js', import.meta.url));
const docsScreenshot = fileURLToPath(new URL('../../docs/ui-screenshot.png', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UI_PORT = Number(process.env.UI_TEST_PORT ?? 38181);
const METRICS_PORT = UI_PORT + 1;

describe('Live page: opensky-stream demo --ui-port', () => {
  let demo: ChildProcess;
  let stderr = '';
  let exited: Promise<number | null>;
  let browser: BrowserContext | undefined;
  let userDataDir: string;
  const shots = mkdtempSync(join(tmpdir(), 'opensky-stream-ui-'));
  let url: string;

  beforeAll(async () => {
    demo = spawn(
      process.execPath,
      [
        bin,
        'demo',
        '--duration',
        '40s',
        '--synthetic',
        '500',
        '--ui-port',
        String(UI_PORT),
        '--metrics-port',
        String(METRICS_PORT),
        '--show',
        '0',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          KAFKA_BROKERS: kafkaBrokers().join(','),
          AWS_ENDPOINT_URL: awsEndpoint(),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    exited = new Promise((resolve) => demo.on('close', resolve));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no live page within 90 s:\n${stderr}`)), 90_000);
      demo.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk;
        const match = /live page: (http:\/\/\S+?)"/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      demo.on('close', (code) => reject(new Error(`demo exited (${code}) before the page:\n${stderr}`)));
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'opensky-stream-chromium-'));
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(userDataDir, {
      viewport: { width: 1280, height: 720 },
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
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) demo.kill('SIGINT');
    await exited;
    rmSync(userDataDir, { recursive: true, force: true });
  }, 60_000);

  it('serves Prometheus metrics of its produce at --metrics-port (the mapping runs in the stack)', async () => {
    let text = '';
    for (let i = 0; i < 60 && !/^opensky_stream_records_produced_total [1-9]/m.test(text); i++) {
      text = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(text).toMatch(/^opensky_stream_records_produced_total [1-9]/m);
    // The function is fed by the stack's event source mapping, not by this process.
    expect(text).not.toMatch(/^opensky_stream_lambda_invocations_total/m);
  }, 60_000);

  it('streams the notifications as JSON over /events', async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 40_000);
    let text = '';
    try {
      const response = await fetch(`${url}events?each=1`, { signal: abort.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      while (!/event: flight\ndata: .*\n/.test(text)) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    const flight = JSON.parse(/event: flight\ndata: (.*)\n/.exec(text)![1]!) as Record<string, unknown>;
    expect(flight).toMatchObject({ type: 'flight', icao24: expect.stringMatching(/^[0-9a-f]{6}$/) });
    expect(typeof flight.lat).toBe('number');
    expect(typeof flight.lon).toBe('number');
  }, 60_000);

  it('draws the aircraft and fills the health panel', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForFunction(
      () => Number(document.querySelector('#aircraft-count')?.getAttribute('data-count')) > 100,
      null,
      {
        timeout: 40_000,
      },
    );
    const figure = (name: string) =>
      page.$eval(`[data-health="${name}"]`, (el) => Number((el.textContent ?? '').replace(/[^0-9.]/g, '')));
    await page.waitForFunction(
      () =>
        ['snapshots', 'produced', 'invoked', 'notifications'].every(
          (name) =>
            Number(document.querySelector(`[data-health="${name}"]`)?.textContent?.replace(/[^0-9.]/g, '')) >
            0,
        ),
      null,
      { timeout: 20_000 },
    );
    const drawn = Number(await page.$eval('#aircraft-count', (el) => el.getAttribute('data-count')));
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeLessThanOrEqual(500);
    expect(await figure('snapshots')).toBeGreaterThan(0);
    expect(await figure('produced')).toBeGreaterThan(0);
    expect(await figure('invoked')).toBeGreaterThan(0);
    expect(await page.$eval('[data-health="mapping"]', (el) => el.textContent)).toBe('Enabled');
    expect(await figure('notifications')).toBeGreaterThan(0);
    expect(await page.$eval('#status', (el) => el.textContent)).toBe('live');
    // Hover over an aircraft: its callsign, country and altitude.
    const first = await page.evaluate(() => {
      const live = (window as unknown as { liveMap: { aircraft: Map<string, { lat: number; lon: number }> } })
        .liveMap;
      const canvas = document.querySelector('#map') as HTMLCanvasElement;
      const s = Math.min(canvas.clientWidth / 360, canvas.clientHeight / 180);
      const at = (a: { lat: number; lon: number }) => ({
        x: (canvas.clientWidth - 360 * s) / 2 + (a.lon + 180) * s,
        y: (canvas.clientHeight - 180 * s) / 2 + (90 - a.lat) * s,
      });
      // One clear of the panels (health top left, legend bottom left), where the canvas gets the mouse.
      return [...live.aircraft.values()].map(at).find((p) => p.x > 320 && p.y > 300 && p.y < 640)!;
    });
    await page.mouse.move(first.x, first.y);
    await expect
      .poll(() => page.$eval('#tooltip', (el) => el.textContent ?? ''))
      .toMatch(/ft|altitude unknown/);
    await page.mouse.move(5, 700);
    const shot = join(shots, 'ui.png');
    await page.screenshot({ path: shot });
    // The README's screenshot is refreshed on request only (UI_SCREENSHOT_TO_DOCS=1): a test run
    // leaves tracked files alone.
    if (process.env.UI_SCREENSHOT_TO_DOCS === '1' && statSync(shot).size < 300 * 1024) {
      mkdirSync(join(docsScreenshot, '..'), { recursive: true });
      copyFileSync(shot, docsScreenshot);
    }
    process.stdout.write(`ui: ${drawn} aircraft drawn, screenshot ${shot} (${statSync(shot).size} bytes)\n`);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  // How fast it redraws is measured by `npm run bench -- ui`, not asserted here.
  it('holds and draws 10,000 aircraft at once', async () => {
    const page = await browser!.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'liveMap' in window);
    const drawn = await page.evaluate(() => {
      const live = (
        window as unknown as {
          liveMap: { ingest(flights: object[]): void; draw(): number };
        }
      ).liveMap;
      live.ingest(
        Array.from({ length: 10_000 }, (_, i) => ({
          icao24: `f${i.toString(16).padStart(5, '0')}`,
          lat: ((i * 7919) % 16000) / 100 - 80,
          lon: ((i * 104729) % 36000) / 100 - 180,
          altitude_feet: (i * 37) % 42000,
          callsign: `T${i}`,
          origin_country: 'Testland',
          time: Date.now(),
        })),
      );
      live.draw();
      return Number(document.querySelector('#aircraft-count')?.textContent?.replace(/\D/g, '') ?? 0);
    });
    expect(drawn).toBeGreaterThanOrEqual(10_000);
    await page.close();
  }, 60_000);

  it('the demo ends by itself and cleans up', async () => {
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"msg":"done"/);
  }, 60_000);
});
