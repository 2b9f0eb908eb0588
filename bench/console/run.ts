// Web console benchmarks (not tests): headless Chromium against a real `switchyard serve` on
// loopback. Prints one table:
//   bundle size        every built asset, raw and gzip -9 (target ≤ 300 KB gzipped)
//   first load         navigation → Backends table rendered from a live watch (token already in
//                      the tab), median of 5 fresh browser contexts (target ≤ 1 s)
//   5,000 Backends     list load, rows in the DOM (virtualized), and frame times while scrolling
//                      the whole list at ~6,000 px/s
//   watch burst        1,000 label changes written by 64 writers while the list watches: first
//                      write → all rendered (bound by the apiserver's write rate) and the lag
//                      after the last write; then 1,000 changes arriving at once (the page's watch
//                      resumed from an older resourceVersion, replayed by the watch cache): resume →
//                      all 1,000 rendered (target ≤ 2 s)
// Usage: node dist/bench/console/run.js [--backends 5000] [--burst 1000]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { launchBrowser, newPage, startServe, missingPrerequisite } from '../../test/console/lib';
import { REPO_ROOT } from '../../test/harness/switchyard';
import { BACKENDS } from '../../test/apiserver/lib';
import type { Api } from '../../test/apiserver/lib';
import { emit, type Goal } from '../lib/report';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, sessionStorage: any, requestAnimationFrame: any;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N_BACKENDS = arg('backends', 5000);
const N_BURST = arg('burst', 1000);

interface Row {
  what: string;
  value: string;
  target: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** A BENCH_JSON row for the console (no reference: the goals are the targets). */
function emitConsole(kase: string, metric: string, unit: string, value: number, goal?: Goal): void {
  emit({ bench: 'console', case: kase, metric, unit, value, ...(goal ? { goal } : {}) });
}

function bundleSize(rows: Row[]): void {
  const dir = path.join(REPO_ROOT, 'web', 'dist', 'assets');
  let raw = 0;
  let gz = 0;
  for (const f of fs.readdirSync(dir)) {
    const b = fs.readFileSync(path.join(dir, f));
    raw += b.length;
    gz += zlib.gzipSync(b, { level: 9 }).length;
  }
  const html = fs.readFileSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html'));
  raw += html.length;
  gz += zlib.gzipSync(html, { level: 9 }).length;
  emitConsole('bundle (index.html + JS + CSS)', 'gzipped', 'KB', gz / 1024, { on: 'value', cmp: '<=', target: 300 });
  rows.push({ what: 'bundle (index.html + JS + CSS)', value: `${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`, target: '≤ 300 KB gzipped' });
}

async function createBackends(api: Api, n: number, prefix: string): Promise<void> {
  await pool(n, 32, async (i) => {
    const name = `${prefix}-${String(i).padStart(5, '0')}`;
    const r = await api.post(BACKENDS, { apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, labels: { bench: 'yes', shard: String(i % 10) } }, spec: { endpoints: [{ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080 }] } });
    if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.text}`);
  });
}

async function main(): Promise<void> {
  const missing = missingPrerequisite();
  if (missing) throw new Error(missing);
  const rows: Row[] = [];
  bundleSize(rows);
  const env = await startServe();
  const browser = await launchBrowser();
  try {
    const base = env.sy.apiURL;
    const token = env.sy.adminToken;
    const open = async () => {
      const { context, page } = await newPage(browser);
      await context.addInitScript((t: string) => sessionStorage.setItem('switchyard.console.token', t), token);
      return { context, page };
    };
    await createBackends(env.admin, 50, 'small');

    // ---- first load: fresh context (empty cache), token in the tab, 50 Backends
    const loads: number[] = [];
    const shells: number[] = [];
    const dcl: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { context, page } = await open();
      const t0 = Date.now();
      await page.goto(`${base}/console/backends`, { waitUntil: 'commit' });
      await page.waitForSelector('[data-testid="shell"] nav a', { timeout: 30_000 });
      const shell = Date.now() - t0;
      await page.waitForSelector('[data-testid="watch-state"].live');
      await page.waitForSelector('tr.row');
      const t = Date.now() - t0;
      const nav = await page.evaluate(() => JSON.parse(JSON.stringify((performance as any).getEntriesByType('navigation')[0])));
      if (i > 0) {
        loads.push(t); // the first launch warms the browser process, not the console
        shells.push(shell);
        dcl.push(nav.domContentLoadedEventEnd);
      }
      await context.close();
    }
    emitConsole('first load → shell interactive (median of 5 fresh contexts)', 'median', 'ms', median(shells), { on: 'value', cmp: '<=', target: 1000 });
    emitConsole('first load → Backends table listed from a live watch', 'median', 'ms', median(loads));
    rows.push({ what: 'first load → shell interactive (views navigable; median of 5 fresh contexts)', value: `${median(shells)} ms (min ${Math.min(...shells)}, max ${Math.max(...shells)}); DOMContentLoaded ${median(dcl).toFixed(0)} ms`, target: '≤ 1 s to interactive' });
    rows.push({ what: 'first load → Backends table listed from a live watch', value: `${median(loads)} ms (min ${Math.min(...loads)}, max ${Math.max(...loads)})`, target: '' });

    // ---- 5,000 Backends
    const tc = Date.now();
    await createBackends(env.admin, N_BACKENDS - 50, 'bench');
    const createMs = Date.now() - tc;
    const { context, page } = await open();
    page.on('crash', () => process.stderr.write('the page crashed\n'));
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    const t0 = Date.now();
    await page.goto(`${base}/console/backends`);
    await page.waitForFunction((n: number) => Number(document.querySelector('.vt')?.dataset.rows) >= n, N_BACKENDS, { polling: 'raf', timeout: 60_000 });
    const listMs = Date.now() - t0;
    const domRows = await page.evaluate(() => document.querySelectorAll('tr.row').length);
    emitConsole(`${N_BACKENDS} Backends: page load → all listed`, 'time', 'ms', listMs);
    rows.push({ what: `${N_BACKENDS} Backends: page load → all listed`, value: `${listMs} ms (${domRows} rows in the DOM; created over the API in ${(createMs / 1000).toFixed(1)} s)`, target: 'virtualized' });
    const scroll = await page.evaluate(async () => {
      const el = document.querySelector('.vt');
      const frames: number[] = [];
      let last = performance.now();
      const started = last;
      let wrong = 0;
      await new Promise<void>((resolve) => {
        const step = (now: number) => {
          frames.push(now - last);
          last = now;
          el.scrollTop += 100; // 100 px per frame
          const first = document.querySelector('tr.row');
          if (!first) wrong++;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1 || now - started > 20_000) resolve();
          else requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
      return { frames: frames.slice(1), ms: performance.now() - started, wrong, end: [...document.querySelectorAll('tr.row')].pop()?.dataset.key ?? '' };
    });
    const f = scroll.frames;
    emitConsole(`${N_BACKENDS} Backends: scroll top → bottom, 100 px per frame`, 'frame p95', 'ms', pct(f, 95), { on: 'value', cmp: '<=', target: 33 });
    rows.push({
      what: `${N_BACKENDS} Backends: scroll top → bottom, 100 px per frame`,
      value: `${f.length} frames in ${(scroll.ms / 1000).toFixed(1)} s: ${(1000 / (f.reduce((a, b) => a + b, 0) / f.length)).toFixed(0)} fps, frame p50 ${pct(f, 50).toFixed(1)} ms, p95 ${pct(f, 95).toFixed(1)} ms, max ${Math.max(...f).toFixed(1)} ms, ${f.filter((x) => x > 50).length} frames > 50 ms; last row ${scroll.end}`,
      target: 'smooth (p95 ≤ 33 ms)',
    });

    // ---- watch burst: N_BURST label changes at once, seen by the open list
    const before = Number(await page.getAttribute('[data-testid="watch-state"]', 'data-applied'));
    const names = Array.from({ length: N_BURST }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const wrote = Date.now();
    let lastAck = 0;
    const rendered = page.waitForFunction((target: number) => Number(document.querySelector('[data-testid="watch-state"]')?.dataset.applied) >= target, before + N_BURST, { polling: 'raf', timeout: 180_000 }).then(() => Date.now());
    await pool(N_BURST, 64, async (i) => {
      const r = await env.admin.patch(`${BACKENDS}/${names[i]}`, 'merge', { metadata: { labels: { burst: 'yes' } } });
      if (r.status !== 200) throw new Error(`patch ${names[i]}: ${r.status} ${r.text}`);
      lastAck = Date.now();
    });
    const done = await rendered;
    emitConsole(`watch burst: ${N_BURST} changes by 64 writers`, 'last write acknowledged → all rendered', 'ms', Math.max(0, done - lastAck));
    // the filter now agrees with the server: every changed object is in the rendered state
    await page.getByTestId('filter-labels').fill('burst=yes');
    await page.waitForFunction((n: number) => document.querySelector('[data-testid="row-count"]')?.textContent?.startsWith(`${n} of`), N_BURST, { timeout: 10_000 });
    rows.push({
      what: `watch burst: ${N_BURST} changes`,
      value: `first write → all rendered ${done - wrote} ms (writes took ${lastAck - wrote} ms; render lag after the last write ${Math.max(0, done - lastAck)} ms)`,
      target: '≤ 2 s',
    });

    // ---- the same burst delivered at once: the page's watch is stopped while N_BURST changes are
    // written, then resumed from its resourceVersion; the apiserver's watch cache replays them all
    await page.getByTestId('filter-labels').fill('');
    await page.evaluate(() => (globalThis as any).switchyard.informers.get('backends').stop());
    await pool(N_BURST, 64, async (i) => {
      const r = await env.admin.patch(`${BACKENDS}/${names[i]}`, 'merge', { metadata: { labels: { burst: 'again' } } });
      if (r.status !== 200) throw new Error(`patch ${names[i]}: ${r.status} ${r.text}`);
    });
    const replay = await page.evaluate(async (n: number) => {
      const inf = (globalThis as any).switchyard.informers.get('backends');
      const target = inf.applied + n;
      const t0 = performance.now();
      let firstAt = 0;
      inf.start();
      await new Promise<void>((resolve) => {
        const poll = () => {
          const shown = Number(document.querySelector('[data-testid="watch-state"]')?.dataset.applied);
          if (!firstAt && inf.applied > target - n) firstAt = performance.now();
          if (shown >= target) resolve();
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      });
      return { total: performance.now() - t0, fromFirst: performance.now() - firstAt };
    }, N_BURST);
    emitConsole(`watch burst: ${N_BURST} changes arriving at once (watch resumed)`, 'resume → all rendered', 'ms', replay.total, { on: 'value', cmp: '<=', target: 2000 });
    await page.getByTestId('filter-labels').fill('burst=again');
    await page.waitForFunction((n: number) => document.querySelector('[data-testid="row-count"]')?.textContent?.startsWith(`${n} of`), N_BURST, { timeout: 10_000 });
    rows.push({
      what: `watch burst: ${N_BURST} changes arriving at once (watch resumed, replayed from the watch cache)`,
      value: `watch resumed → all ${N_BURST} rendered ${replay.total.toFixed(0)} ms (first event → all rendered ${replay.fromFirst.toFixed(0)} ms)`,
      target: '≤ 2 s',
    });
    await context.close();
  } finally {
    await browser.close().catch(() => undefined);
    await env.stop();
  }
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`\nWeb console (headless Chromium ${process.env.CHROMIUM ?? '/usr/bin/chromium'}, switchyard serve on loopback, SQLite; node ${process.version}; ${os.cpus().length} cores, load average at the end ${load})\n`);
  console.log('| measure | result | target |');
  console.log('| --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.what} | ${r.value} | ${r.target} |`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
