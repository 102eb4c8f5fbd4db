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
    b.fillStyle = '#1d3349';
    b.beginPath();
    for (const f of land.features ?? [land]) {
      const g = f.geometry;
      const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      for (const polygon of polygons) tracePath(b, polygon);
    }
    b.fill('evenodd');
    const borders = topojson.mesh(world, world.objects.countries, (a, c) => a !== c);
    b.strokeStyle = '#35506b';
    b.lineWidth = 0.6;
    b.beginPath();
    tracePath(b, borders.coordinates);
    b.stroke();
  }

  /** Redraw everything now; returns the milliseconds it took. */
  function draw() {
    const t0 = performance.now();
    if (!basemap) drawBasemap();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(basemap, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // One path per altitude band: a few fill() calls for 10,000 aircraft.
    const paths = [...BANDS, UNKNOWN].map(() => new Path2D());
    const cutoff = Date.now() - keepMs;
    const size = scale > 3 ? 3 : 2;
    for (const [icao24, a] of aircraft) {
      if (a.seen < cutoff) {
        aircraft.delete(icao24);
        continue;
      }
      paths[band(a.altitude_feet)].rect(x(a.lon) - size / 2, y(a.lat) - size / 2, size, size);
    }
    paths.forEach((path, i) => {
      ctx.fillStyle = (BANDS[i] ?? UNKNOWN).colour;
      ctx.fill(path);
    });
    if (selected && aircraft.has(selected)) {
      const a = aircraft.get(selected);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x(a.lon) - 5, y(a.lat) - 5, 10, 10);
    }
    countEl.textContent = fmt.format(aircraft.size);
    countEl.dataset.count = String(aircraft.size);
    lastDrawMs = performance.now() - t0;
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
    const seen = Date.now();
    for (const f of flights) {
      f.seen = seen;
      aircraft.set(f.icao24, f);
    }
    dirty = true;
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
  window.liveMap = { aircraft, ingest, draw, lastDrawMs: () => lastDrawMs };
})();
