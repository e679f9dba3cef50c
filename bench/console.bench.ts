/**
 * The console in headless Chromium over a large map: first render, pan/zoom, and live pin colour.
 *
 *   npm run bench:console                 # 1,000,000 customers
 *   npm run bench:console -- 200000       # fewer, on a busy machine
 *
 * Geocoding runs in-process on a private broker and a fresh database loaded by bench:map's loader
 * (bench/map.bench.ts `load`: pins and balances generated in SQL, grid rebuilt once). A stand-in
 * gateway serves the console's production build (services/console/dist) and forwards /api to
 * geocoding with a signed finance identity (the real gateway's sign-in is not measured here).
 *
 * - first render: navigation to markers drawn (groups or pins) at the China view, cold then warm;
 * - pan/zoom: a mouse drag or wheel until the new view's answer is drawn (includes the page's
 *   200 ms debounce, which a user waits too);
 * - live: customers.status-changed.v1 published at 100/s for the single pins of a city view (what
 *   customers emits after a payment), timed from publish to the pin's new colour in the page.
 *   The payment -> status-changed part of the path is bench:e2e's figure.
 * Targets: first render and pan/zoom < 1.5 s, live < 1 s (p95).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ArStatus, Topic } from '@duemap/events';
import { identityHeaders, startServiceUnderTest } from '@duemap/testing';
import { chromium, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AppModule } from '../services/geocoding/src/app.module';
import { geocodingConfig } from '../services/geocoding/src/config';
import { dataSourceOptions } from '../services/geocoding/src/database/data-source';
import { load } from './map.bench';

const CUSTOMERS = Number(process.argv[2] ?? process.env.BENCH_CONSOLE_CUSTOMERS ?? 1_000_000);
const RATE = 100;
const LIVE_SECONDS = Number(process.env.BENCH_CONSOLE_LIVE_SECONDS ?? 10);
const TARGET_VIEW_MS = 1500;
const TARGET_LIVE_MS = 1000;
const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'services', 'console', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const pct = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (v: number): string => `${Math.round(v)} ms`;
const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));

/** The gateway's part for the page: its static files, /api/v1/me, and /api forwarded with an identity. */
function standInGateway(api: string, headers: Record<string, string>): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/v1/me') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          subject: 'bench',
          kind: 'user',
          roles: ['finance'],
          permissions: [],
          territory: null,
        }),
      );
      return;
    }
    if (url.pathname === '/console-config.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tileUrl: null, tileAttribution: null }));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const upstream = http.request(
        `${api}${url.pathname}${url.search}`,
        { method: req.method, headers: { ...headers, accept: req.headers.accept ?? '*/*' } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const file = path.join(DIST, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    const found = file.startsWith(DIST) && fs.existsSync(file) && fs.statSync(file).isFile();
    const body = fs.readFileSync(found ? file : path.join(DIST, 'index.html'));
    const type = /\.js$|\.mjs$/.test(file)
      ? 'text/javascript'
      : file.endsWith('.css')
        ? 'text/css'
        : file.endsWith('.svg')
          ? 'image/svg+xml'
          : found
            ? 'application/octet-stream'
            : 'text/html';
    res.writeHead(200, { 'content-type': found ? type : 'text/html' });
    res.end(body);
  });
}

// Run in the page (strings: this file is compiled without the DOM's types).
/** Two frames: what React committed has been painted. */
const FRAMES = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
/** [customerId, status] of each single pin drawn. */
const PINS = `[...document.querySelectorAll('button.pin[data-customer-id]')].map((e) => [e.dataset.customerId, e.dataset.status])`;
/** Records [customerId, status, epoch ms] each time a pin's status attribute changes. */
const OBSERVE = `(() => {
  window.__seen = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (el.dataset && el.dataset.customerId && el.dataset.status) {
        window.__seen.push([el.dataset.customerId, el.dataset.status, performance.timeOrigin + performance.now()]);
      }
    }
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
})()`;

/** Until the page has drawn what the next /map/customers answer holds (one frame after it). */
async function viewDrawn(page: Page, act: () => Promise<void>): Promise<number> {
  const start = performance.now();
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/map/customers?'), {
    timeout: 30_000,
  });
  await act();
  await answered;
  await page.evaluate(FRAMES);
  return performance.now() - start;
}

async function main(): Promise<void> {
  console.log('Building the console (production)…');
  execFileSync('npm', ['run', '-s', 'build', '-w', 'services/console', '--', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const service = await startServiceUnderTest({
    service: 'geocoding',
    database: 'bench_console',
    schema: geocodingConfig,
    dataSource: dataSourceOptions,
    module: (config, logger) => AppModule.register(config, logger),
  });
  const gateway = standInGateway(service.url, await identityHeaders({ roles: ['finance'] }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  let failed = false;
  try {
    const ds = new DataSource({ ...dataSourceOptions(service.db.url), poolSize: 2 });
    await ds.initialize();
    console.log(`Loading ${CUSTOMERS.toLocaleString('en')} customers into ${service.db.name}`);
    await load(ds, CUSTOMERS);
    await ds.destroy();
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const address = gateway.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 860 } })).newPage();

    // First render: navigation -> markers drawn, at the China view (all groups at this zoom).
    const renders: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = performance.now();
      await page.goto(`${url}/?lng=104.5&lat=35.5&zoom=3.4`);
      await page.locator('.maplibregl-marker button').first().waitFor({ timeout: 60_000 });
      renders.push(performance.now() - start);
    }
    const [cold = NaN, ...warm] = renders;
    console.log(
      `\nFirst render of the map: cold ${ms(cold)}, warm p50 ${ms(pct(warm, 50))} (${warm.map(ms).join(', ')})`,
    );

    // Pan and zoom: drags and wheel steps over the map, each until its view is drawn.
    const moves: number[] = [];
    const box = await page.locator('.map-canvas').boundingBox();
    const cx = (box?.x ?? 0) + (box?.width ?? 800) / 2;
    const cy = (box?.y ?? 0) + (box?.height ?? 600) / 2;
    for (let i = 0; i < 6; i++) {
      moves.push(
        await viewDrawn(page, async () => {
          await page.mouse.move(cx, cy);
          await page.mouse.down();
          await page.mouse.move(cx + (i % 2 ? -150 : 150), cy + 60, { steps: 5 });
          await page.mouse.up();
        }),
      );
      moves.push(
        await viewDrawn(page, async () => {
          await page.mouse.move(cx, cy);
          await page.mouse.wheel(0, i < 3 ? -300 : 300);
        }),
      );
    }
    console.log(
      `Pan/zoom to drawn: p50 ${ms(pct(moves, 50))}, p95 ${ms(pct(moves, 95))}, max ${ms(Math.max(...moves))}`,
    );

    // Live: single pins of a sparse city's view, recoloured by status-changed at RATE per second.
    let pins: string[] = [];
    for (const zoom of [11, 12, 13, 14, 15]) {
      // A view may hold only groups, or nothing: its answer is enough to look for single pins.
      await viewDrawn(page, async () => {
        await page.goto(`${url}/?lng=91.17&lat=29.65&zoom=${zoom}`);
      });
      await page.locator('[data-testid=live-state][data-state=open]').waitFor({ timeout: 30_000 });
      pins = (await page.evaluate<[string, string][]>(PINS)).map(([id]) => id);
      if (pins.length >= 20) break;
    }
    if (pins.length === 0) throw new Error('no single pin found in any view of the city');
    const initial = new Map(await page.evaluate<[string, string][]>(PINS));
    await page.evaluate(OBSERVE);
    const cycle = ['unpaid', 'paid', 'overdue'] as const;
    const proto = { unpaid: ArStatus.UNPAID, paid: ArStatus.PAID, overdue: ArStatus.OVERDUE };
    const sent: { id: string; status: string; at: number }[] = [];
    const total = RATE * LIVE_SECONDS;
    const begin = Date.now();
    for (let i = 0; i < total; i++) {
      const wait = begin + (i * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
      const customerId = pins[i % pins.length] ?? '';
      const round = Math.floor(i / pins.length);
      const status = cycle[round % cycle.length] ?? 'paid';
      const at = Date.now();
      await service.publisher.publish(Topic.StatusChanged, {
        customerId,
        occurredAt: timestampFromDate(new Date(at)),
        customerVersion: BigInt(1000 + round),
        status: proto[status],
      });
      // A change to the colour the pin already has shows nothing: not timed.
      if (round > 0 || initial.get(customerId) !== status) sent.push({ id: customerId, status, at });
    }
    const achieved = total / ((Date.now() - begin) / 1000);
    await sleep(3000);
    const seen = await page.evaluate<[string, string, number][]>('window.__seen');
    // Each change: the first time its pin shows its colour after it was published.
    const latencies: number[] = [];
    let missed = 0;
    for (const s of sent) {
      const shown = seen.find(([id, status, t]) => id === s.id && status === s.status && t >= s.at - 5);
      if (shown === undefined) missed++;
      else latencies.push(shown[2] - s.at);
    }
    console.log(
      `Live, ${total} status changes at ${achieved.toFixed(0)}/s over ${pins.length} pins: ` +
        `${latencies.length} timed, p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}, ` +
        `max ${ms(Math.max(...latencies))}, not seen ${missed}`,
    );
    if (missed > 0) failed = true;

    const check = (label: string, value: number, target: number): void => {
      const ok = value < target;
      if (!ok) failed = true;
      console.log(`${ok ? 'PASS' : 'FAIL'} ${label}: ${ms(value)} (target < ${ms(target)})`);
    };
    console.log('');
    check('first render (warm p50)', pct(warm, 50), TARGET_VIEW_MS);
    check('pan/zoom p95', pct(moves, 95), TARGET_VIEW_MS);
    check('status change to pin colour p95', pct(latencies, 95), TARGET_LIVE_MS);
  } finally {
    await browser.close();
    gateway.close();
    await service.close();
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
