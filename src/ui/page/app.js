// The live page: aircraft from /events on an equirectangular world map (canvas, no tiles).
// One entry per icao24; drawn at most DRAW_PER_SECOND times a second with requestAnimationFrame.
// window.liveMap exposes the state and the draw for tests and benchmarks.
/* global topojson */
(() => {
  const DRAW_PER_SECOND = 4;
  const canvas = document.getElementById('map');
  const ctx = canvas.getContext('2d', { alpha: false });
  const countEl = document.getElementById('aircraft-count');
  const drawMsEl = document.getElementById('draw-ms');
  const statusEl = document.getElementById('status');
  const tooltip = document.getElementById('tooltip');
  const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

  // Altitude bands (feet) and their colours, low to high.
  const BANDS = [
    { below: 1000, colour: '#f94144', label: '<1k' },
    { below: 5000, colour: '#f3722c', label: '1–5k' },
    { below: 10000, colour: '#f8961e', label: '5–10k' },
    { below: 20000, colour: '#f9c74f', label: '10–20k' },
    { below: 30000, colour: '#90be6d', label: '20–30k' },
    { below: 38000, colour: '#43aa8b', label: '30–38k' },
    { below: Number.POSITIVE_INFINITY, colour: '#4cc9f0', label: '38k+ ft' },
  ];
  const UNKNOWN = { colour: '#9aa5b1', label: '?' };
  // The colours as 32-bit pixels (RGBA bytes in memory order: little-endian ABGR).
  const BAND_PIXELS = [...BANDS, UNKNOWN].map(({ colour }) => {
    const n = Number.parseInt(colour.slice(1), 16);
    return ((0xff << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
  });
  const band = (alt) => {
    if (alt === null || alt === undefined) return BANDS.length;
    for (let i = 0; i < BANDS.length; i++) if (alt < BANDS[i].below) return i;
    return BANDS.length - 1;
  };
  document.getElementById('legend').innerHTML = [...BANDS, UNKNOWN]
    .map((b) => `<span><i style="background:${b.colour}"></i>${b.label}</span>`)
    .join('');

  /** icao24 → { icao24, lat, lon, altitude_feet, callsign, origin_country, time, seen } */
  const aircraft = new Map();
  let keepMs = 120_000;
  let dirty = true;
  let lastDraw = 0;
  let lastDrawMs = 0;
  let basemap; // an offscreen canvas of the land and borders at the current size
  let basemapPixels; // its pixels, and the frame's (basemap + aircraft)
  let framePixels;
  let frame32;
  let world; // the TopoJSON
  let width = 0;
  let height = 0;
  let dpr = 1;

  // Equirectangular: the whole world, letterboxed to 2:1.
  let scale = 1;
  let ox = 0;
  let oy = 0;
  const x = (lon) => ox + (lon + 180) * scale;
  const y = (lat) => oy + (90 - lat) * scale;

  function resize() {
    dpr = window.devicePixelRatio || 1;
    width = canvas.clientWidth;
    height = canvas.clientHeight;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    scale = Math.min(width / 360, height / 180);
    ox = (width - 360 * scale) / 2;
    oy = (height - 180 * scale) / 2;
    basemap = undefined;
    dirty = true;
  }

  // Rings are split where they jump across the antimeridian so nothing streaks across the map.
  function tracePath(target, lines) {
    for (const line of lines) {
      let prev;
      for (const [lon, lat] of line) {
        if (prev === undefined || Math.abs(lon - prev) > 180) target.moveTo(x(lon), y(lat));
        else target.lineTo(x(lon), y(lat));
        prev = lon;
      }
    }
  }

  // A ring that crosses the antimeridian (Russia, Fiji) is unwrapped into one continuous ring
  // and drawn again 360° over, so both halves fill; the map's rectangle clips the rest.
  function traceRing(target, ring) {
    const lons = [];
    let shift = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    ring.forEach(([lon], i) => {
      if (i > 0) {
        const jump = lon + shift - lons[i - 1];
        if (jump > 180) shift -= 360;
        else if (jump < -180) shift += 360;
      }
      const unwrapped = lon + shift;
      lons.push(unwrapped);
      min = Math.min(min, unwrapped);
      max = Math.max(max, unwrapped);
    });
    const offsets = [0];
    if (min < -180) offsets.push(360);
    if (max > 180) offsets.push(-360);
    for (const offset of offsets) {
      ring.forEach(([, lat], i) => {
        const px = x(lons[i] + offset);
        if (i === 0) target.moveTo(px, y(lat));
        else target.lineTo(px, y(lat));
      });
      target.closePath();
    }
  }

  function drawBasemap() {
    basemap = document.createElement('canvas');
    basemap.width = canvas.width;
    basemap.height = canvas.height;
    const b = basemap.getContext('2d');
    b.scale(dpr, dpr);
    b.fillStyle = '#0b1622';
    b.fillRect(0, 0, width, height);
    b.fillStyle = '#10243a';
    b.fillRect(ox, oy, 360 * scale, 180 * scale);
    // Graticule every 30°.
    b.strokeStyle = '#17324d';
    b.lineWidth = 0.5;
    b.beginPath();
    for (let lon = -180; lon <= 180; lon += 30)
      tracePath(b, [
        [
          [lon, -90],
          [lon, 90],
        ],
      ]);
    for (let lat = -60; lat <= 60; lat += 30)
      tracePath(b, [
        [
          [-180, lat],
          [180, lat],
        ],
      ]);
    b.stroke();
    if (!world) return;
    const land = topojson.feature(world, world.objects.land);
    b.save();
    b.beginPath();
    b.rect(ox, oy, 360 * scale, 180 * scale);
    b.clip();
    b.fillStyle = '#1d3349';
    b.beginPath();
    for (const f of land.features ?? [land]) {
      const g = f.geometry;
      const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      for (const polygon of polygons) for (const ring of polygon) traceRing(b, ring);
    }
    b.fill('evenodd');
    b.restore();
    const borders = topojson.mesh(world, world.objects.countries, (a, c) => a !== c);
    b.strokeStyle = '#35506b';
    b.lineWidth = 0.6;
    b.beginPath();
    tracePath(b, borders.coordinates);
    b.stroke();
  }

  // The last 200 redraw and ingest durations (ms), for benchmarks.
  const timings = { draws: [], ingests: [] };
  const record = (list, ms) => {
    list.push(ms);
    if (list.length > 200) list.shift();
  };

  /** Redraw everything now; returns the milliseconds it took. */
  function draw() {
    const t0 = performance.now();
    if (!basemap) {
      drawBasemap();
      basemapPixels = basemap.getContext('2d').getImageData(0, 0, basemap.width, basemap.height);
      framePixels = new ImageData(basemap.width, basemap.height);
      frame32 = new Uint32Array(framePixels.data.buffer);
    }
    // Aircraft are written straight into the pixels (a copy of the basemap): with a software
    // canvas this is several times cheaper than 10,000 rects through Path2D fills.
    framePixels.data.set(basemapPixels.data);
    const w = framePixels.width;
    const h = framePixels.height;
    const cutoff = Date.now() - keepMs;
    const size = Math.max(2, Math.round((scale > 3 ? 3 : 2) * dpr));
    const half = Math.floor(size / 2);
    for (const [icao24, a] of aircraft) {
      if (a.seen < cutoff) {
        aircraft.delete(icao24);
        continue;
      }
      const colour = BAND_PIXELS[band(a.altitude_feet)];
      const px = Math.round(x(a.lon) * dpr) - half;
      const py = Math.round(y(a.lat) * dpr) - half;
      for (let j = 0; j < size; j++) {
        const row = py + j;
        if (row < 0 || row >= h) continue;
        for (let i = 0; i < size; i++) {
          const col = px + i;
          if (col >= 0 && col < w) frame32[row * w + col] = colour;
        }
      }
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.putImageData(framePixels, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (selected && aircraft.has(selected)) {
      const a = aircraft.get(selected);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x(a.lon) - 5, y(a.lat) - 5, 10, 10);
    }
    countEl.textContent = fmt.format(aircraft.size);
    countEl.dataset.count = String(aircraft.size);
    lastDrawMs = performance.now() - t0;
    record(timings.draws, lastDrawMs);
    drawMsEl.textContent = `${lastDrawMs.toFixed(1)} ms`;
    dirty = false;
    return lastDrawMs;
  }

  function frame(now) {
    if (dirty && now - lastDraw >= 1000 / DRAW_PER_SECOND) {
      lastDraw = now;
      draw();
    }
    requestAnimationFrame(frame);
  }

  /** Take flights (objects as sent by /events) into the map. */
  function ingest(flights) {
    const t0 = performance.now();
    const seen = Date.now();
    for (const f of flights) {
      f.seen = seen;
      aircraft.set(f.icao24, f);
    }
    dirty = true;
    record(timings.ingests, performance.now() - t0);
  }

  // Hover shows the nearest aircraft within 8 px; a click pins it until the next click.
  let selected;
  let pinned = false;
  function nearest(px, py) {
    let best;
    let bestD = 64;
    for (const a of aircraft.values()) {
      const dx = x(a.lon) - px;
      const dy = y(a.lat) - py;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = a;
      }
    }
    return best;
  }
  function show(a, px, py) {
    if (!a) {
      tooltip.style.display = 'none';
      selected = undefined;
      dirty = true;
      return;
    }
    selected = a.icao24;
    const alt = a.altitude_feet === null ? 'altitude unknown' : `${fmt.format(a.altitude_feet)} ft`;
    tooltip.textContent = '';
    const title = document.createElement('strong');
    title.textContent = (a.callsign || a.icao24).trim();
    tooltip.append(
      title,
      document.createElement('br'),
      `${a.origin_country ?? '?'} · ${alt}`,
      document.createElement('br'),
      `${a.icao24} · ${a.lat.toFixed(3)}, ${a.lon.toFixed(3)}`,
    );
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(px + 12, width - 220)}px`;
    tooltip.style.top = `${Math.min(py + 12, height - 70)}px`;
    dirty = true;
  }
  canvas.addEventListener('mousemove', (e) => {
    if (!pinned) show(nearest(e.offsetX, e.offsetY), e.offsetX, e.offsetY);
  });
  canvas.addEventListener('click', (e) => {
    const a = nearest(e.offsetX, e.offsetY);
    pinned = Boolean(a) && !pinned;
    show(a, e.offsetX, e.offsetY);
  });

  // Health panel: each dd[data-health] shows that field of the latest health event.
  function health(h) {
    for (const dd of document.querySelectorAll('[data-health]')) {
      const value = h[dd.dataset.health];
      dd.textContent =
        value === undefined || value === null
          ? '–'
          : typeof value === 'number'
            ? `${fmt.format(value)}${dd.dataset.unit ? ` ${dd.dataset.unit}` : ''}`
            : String(value);
    }
  }

  function connect() {
    const events = new EventSource('/events');
    events.addEventListener('open', () => {
      statusEl.textContent = 'live';
      statusEl.className = '';
    });
    events.addEventListener('error', () => {
      statusEl.textContent = 'reconnecting…';
      statusEl.className = 'down';
    });
    events.addEventListener('config', (e) => {
      const c = JSON.parse(e.data);
      document.getElementById('title').textContent = c.title;
      keepMs = c.keepSeconds * 1000;
      // The Kafka view (kafka.js) learns from the same config whether the server has one.
      window.dispatchEvent(new CustomEvent('live-config', { detail: c }));
    });
    events.addEventListener('flights', (e) => ingest(JSON.parse(e.data).flights));
    events.addEventListener('flight', (e) => ingest([JSON.parse(e.data)]));
    events.addEventListener('health', (e) => health(JSON.parse(e.data)));
  }

  window.addEventListener('resize', resize);
  resize();
  fetch('/data/countries-110m.json')
    .then((r) => r.json())
    .then((topology) => {
      world = topology;
      basemap = undefined;
      dirty = true;
    })
    .catch((error) => console.error('basemap', error));
  connect();
  requestAnimationFrame(frame);
  window.liveMap = { aircraft, ingest, draw, timings, lastDrawMs: () => lastDrawMs };
})();
