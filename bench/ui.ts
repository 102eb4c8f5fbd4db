/**
 * The live page at the size of the global feed: 10,000 aircraft, every one updated every
 * 2 s (5,000 notifications/s) from generated traffic, fed to the UI server in process and
 * drawn by headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH; skipped without one).
 * Prints what a redraw and an update batch cost in the page, and the page's frame rate.
 * `npm run bench -- ui`; UI_BENCH_SCREENSHOT=path saves a screenshot.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { stateVectorFromArray, toStateVectorMessage } from '../src/domain/state-vector.ts';
import { generateTraffic } from '../src/synthetic/index.ts';
import { transformStateVector } from '../src/transform/transform.ts';
import { startLiveServer } from '../src/ui/server.ts';
import { fmt, percentile } from './_util.ts';

const AIRCRAFT = 10_000;
const STEP_MS = 2000;
const SECONDS = 12;
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.log(`ui: skipped, no Chromium at ${executablePath} (apt-get install chromium, or CHROMIUM_PATH)`);
  process.exit(0);
}

const server = await startLiveServer({ port: 0, title: 'bench: 10,000 aircraft' });
const traffic = generateTraffic({ aircraft: AIRCRAFT, stepSeconds: STEP_MS / 1000, seed: 7 });
const feed = () => {
  const snapshot = traffic.next().value;
  const now = Math.floor(Date.now() / 1000);
  const bodies: string[] = [];
  for (const raw of snapshot.states ?? []) {
    const record = transformStateVector(toStateVectorMessage(stateVectorFromArray(raw), now));
    if (record) bodies.push(JSON.stringify({ ...record, time_position: new Date().toISOString() }));
  }
  server.addNotifications(bodies);
  server.setHealth({ snapshots: 1, produced: bodies.length });
};
feed();
const feeding = setInterval(feed, STEP_MS);

const userDataDir = mkdtempSync(join(tmpdir(), 'opensky-stream-bench-ui-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  viewport: { width: 1280, height: 720 },
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
try {
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(
    (n) => Number(document.querySelector('#aircraft-count')?.getAttribute('data-count')) >= n * 0.9,
    AIRCRAFT,
    { timeout: 30_000 },
  );
  // Live: what the page spends while the stream runs, and how many frames it still paints.
  const live = await page.evaluate(async (seconds) => {
    const map = (window as unknown as { liveMap: { timings: { draws: number[]; ingests: number[] } } })
      .liveMap;
    map.timings.draws.length = 0;
    map.timings.ingests.length = 0;
    let frames = 0;
    const count = () => {
      frames++;
      requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return { draws: [...map.timings.draws], ingests: [...map.timings.ingests], fps: frames / seconds };
  }, SECONDS);
  // A redraw including rasterisation (getImageData waits for the canvas to be painted).
  const flushed = await page.evaluate(() => {
    const map = (window as unknown as { liveMap: { draw(): number } }).liveMap;
    const ctx = (document.querySelector('#map') as HTMLCanvasElement).getContext('2d')!;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      map.draw();
      ctx.getImageData(0, 0, 1, 1);
      times.push(performance.now() - t0);
    }
    return times;
  });
  const aircraft = await page.$eval('#aircraft-count', (el) => el.getAttribute('data-count'));
  if (process.env.UI_BENCH_SCREENSHOT) await page.screenshot({ path: process.env.UI_BENCH_SCREENSHOT });
  console.log(
    `ui: ${aircraft} aircraft on the map, ${fmt(AIRCRAFT / (STEP_MS / 1000))} updates/s for ${SECONDS} s`,
  );
  console.log(
    `  redraw (recording)         p50 ${fmt(percentile(live.draws, 50), 1)} ms  p95 ${fmt(percentile(live.draws, 95), 1)} ms  (${live.draws.length} redraws)`,
  );
  console.log(
    `  redraw + rasterise         p50 ${fmt(percentile(flushed, 50), 1)} ms  p95 ${fmt(percentile(flushed, 95), 1)} ms`,
  );
  console.log(
    `  ingest per SSE batch       p50 ${fmt(percentile(live.ingests, 50), 1)} ms  p95 ${fmt(percentile(live.ingests, 95), 1)} ms  (${live.ingests.length} batches)`,
  );
  console.log(`  animation frames           ${fmt(live.fps, 1)} /s (headless, no GPU)`);
} finally {
  clearInterval(feeding);
  await context.close();
  await server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
