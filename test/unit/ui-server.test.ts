import { afterEach, describe, expect, it } from 'vitest';
import { flightPoint, type LiveServer, startLiveServer } from '../../src/ui/server.ts';

const record = (icao24: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    icao24,
    callsign: 'DLH123',
    origin_country: 'Germany',
    latitude: 50.1,
    longitude: 8.6,
    altitude_feet: 34000,
    time_position: new Date().toISOString(),
    ...extra,
  });

/** Read `/events` until `until` matches what arrived (or the deadline passes). */
async function readEvents(url: string, until: RegExp, ms = 5000): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  let text = '';
  try {
    const response = await fetch(url, { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    while (!until.test(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return text;
}

describe('Function: flightPoint', () => {
  it('takes the position and labels of a flight record', () => {
    // Act
    const point = flightPoint(record('3c6444'));
    // Assert
    expect(point).toMatchObject({ icao24: '3c6444', lat: 50.1, lon: 8.6, altitude_feet: 34000 });
  });

  it.each([['not json'], [record('3c6444', { latitude: null })], ['null'], [undefined]])(
    'has no point for %j',
    (body) => {
      expect(flightPoint(body)).toBeUndefined();
    },
  );
});

describe('Function: startLiveServer', () => {
  let server: LiveServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the page, the basemap and the basemap code from the packages', async () => {
    // Arrange
    server = await startLiveServer({ port: 0 });
    // Act
    const [page, app, topo, atlas, missing] = await Promise.all(
      ['', 'app.js', 'vendor/topojson-client.js', 'data/countries-110m.json', 'nope'].map((p) =>
        fetch(`${server!.url}${p}`),
      ),
    );
    // Assert
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await page!.text()).toContain('id="aircraft-count"');
    expect(app!.status).toBe(200);
    expect(await topo!.text()).toContain('topojson');
    expect(((await atlas!.json()) as { type: string }).type).toBe('Topology');
    expect(missing!.status).toBe(404);
  });

  it('answers odd paths with 404 instead of crashing (regression: "//" threw in new URL)', async () => {
    // Arrange
    server = await startLiveServer({ port: 0 });
    const { request } = await import('node:http');
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: server!.port, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    // Act
    const statuses = [await get('//'), await get('//evil.example/x'), await get('/constructor')];
    // Assert
    expect(statuses).toEqual([404, 404, 404]);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('streams flights batched, one event per notification with ?each, and health', async () => {
    // Arrange
    server = await startLiveServer({ port: 0, flushMs: 50 });
    server.setHealth({ snapshots: 3 });
    const batched = readEvents(`${server.url}events`, /event: flights[\s\S]*event: health/);
    const each = readEvents(`${server.url}events?each=1`, /event: flight\n[\s\S]*event: flight\n/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Act
    server.addNotifications([record('aaaaaa'), record('bbbbbb'), 'garbage']);
    // Assert
    const text = await batched;
    const flights = /event: flights\ndata: (.*)\n/.exec(text)![1]!;
    expect((JSON.parse(flights) as { flights: { icao24: string }[] }).flights.map((f) => f.icao24)).toEqual([
      'aaaaaa',
      'bbbbbb',
    ]);
    const health = JSON.parse(/event: health\ndata: (.*)\n/.exec(text)![1]!) as Record<string, unknown>;
    expect(health).toMatchObject({ type: 'health', snapshots: 3, notifications: 3, aircraft: 2 });
    const single = [...(await each).matchAll(/event: flight\ndata: (.*)\n/g)].map(
      (m) => JSON.parse(m[1]!) as { type: string; icao24: string },
    );
    expect(single.map((f) => [f.type, f.icao24])).toEqual([
      ['flight', 'aaaaaa'],
      ['flight', 'bbbbbb'],
    ]);
    expect(server.aircraft).toBe(2);
  });

  it('gives a new page every aircraft already known', async () => {
    // Arrange
    server = await startLiveServer({ port: 0 });
    server.addNotifications([record('cccccc')]);
    // Act
    const text = await readEvents(`${server.url}events`, /event: flights/);
    // Assert
    expect(text).toContain('"icao24":"cccccc"');
  });

  it('closes twice without complaint, ending open event streams', async () => {
    server = await startLiveServer({ port: 0 });
    const reading = readEvents(`${server.url}events`, /never/, 3000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    await server.close();
    expect(await reading).toContain('event: config');
  });
});
