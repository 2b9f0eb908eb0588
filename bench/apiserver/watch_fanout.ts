// Watch fan-out at scale over the real binary (`switchyard apiserver`, HTTPS + token): 10,000
// Backends stored, 1,000 watches each on its own TLS connection, held by separate load processes
// (watch_fanout_load), then N writes one at a time (a merge patch of one Backend's label); for each
// write and each watcher, the time from the write's send (and from its 200) to the watcher reading
// the event. Plus the apiserver's RSS from /proc (idle with 10k objects, with the watchers, after
// the writes, and its high-water mark), and in the same run the floor: a plain node HTTPS server
// writing a line of the same size to as many held responses (watch_fanout_floor), driven the same way.
// Bounded: the fill, each open and each write have a time budget.
//   node dist/bench/apiserver/watch_fanout.js [--store etcd|sqlite|both] [--objects 10000]
//        [--watchers 1000] [--writes 30] [--burst 200] [--load-procs 2] [--no-floor]
// The burst: BURST patches of distinct Backends at 16 concurrent while the watchers are open, then
// one marked write: the time until every watcher has read it, the server's CPU, and its peak RSS.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Api, BACKENDS, startServer, type Storage, type TestServer } from '../../test/apiserver/lib';
import { freePort } from '../../test/harness/ports';
import { tempDir } from '../../test/harness/tmp';
import { trackChild } from '../../test/harness/process';
import { pct } from '../lib/measure';
import { emit } from '../lib/report';
import { arg } from '../lib/args';

const STORES: Storage[] = arg('store', 'etcd') === 'both' ? ['etcd', 'sqlite'] : [arg('store', 'etcd') as Storage];
const OBJECTS = Number(arg('objects', '10000'));
const WATCHERS = Number(arg('watchers', '1000'));
const WRITES = Number(arg('writes', '30'));
const BURST = Number(arg('burst', '200'));
const LOAD_PROCS = Math.max(1, Number(arg('load-procs', '2')));
const FLOOR = !process.argv.includes('--no-floor');
const SERVER_OPTS = { env: { SWITCHYARD_LOG_LEVEL: arg('log-level', 'info') } };
/** concurrent creates while loading: enough to fill fast, few enough TLS handshakes for a loaded machine */
const CONCURRENCY = 16;

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function body(name: string, i: number) {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name, labels: { app: 'bench', shard: String(i % 16) } },
    spec: { endpoints: [{ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080, weight: 1 }, { fqdn: 'bench.example.com', port: 80 }], protocol: 'h2' },
  };
}

function procStatus(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** CPU time (user + system) the process has used, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** The server's V8 heap (used/total) and memory outside it, from its /metrics (prom-client defaults). */
async function heapOf(api: Api): Promise<string> {
  const text = (await api.get('/metrics')).text;
  const mib = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return `heap ${mib('nodejs_heap_size_used_bytes').toFixed(0)}/${mib('nodejs_heap_size_total_bytes').toFixed(0)} MiB, external ${mib('nodejs_external_memory_bytes').toFixed(0)} MiB`;
}

/** f, tried up to 5 times (a loaded machine times out a connect now and then) */
async function retry<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(500 * attempt);
    }
  }
}

/** Creates Backends bk-0 … bk-(n-1) (CONCURRENCY at once, at most `budgetMs`). */
async function fill(api: Api, n: number, budgetMs = 300_000): Promise<number> {
  let next = 0;
  let made = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n && performance.now() - t0 < budgetMs) {
        const i = next++;
        // a loaded machine times out a connect now and then: each create is tried up to 5 times
        for (let attempt = 1; ; attempt++) {
          try {
            const a = await api.post(BACKENDS, body(`bk-${i}`, i), { timeoutMs: 60_000 });
            if (a.status !== 201 && a.status !== 409) throw new Error(`fill: HTTP ${a.status} ${a.text.slice(0, 200)}`);
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
            await sleep(200 * attempt);
          }
        }
        made++;
      }
    }),
  );
  log(`  ${made} Backends in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return made;
}

/** The load processes, each holding its share of the watches. */
class Loaders {
  private readonly kids: ChildProcess[] = [];
  private readonly waiting = new Map<string, { need: number; got: number; done: () => void }>();
  private reports: unknown[] = [];
  opened = 0;
  failed = '';

  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      const kid = fork(path.join(__dirname, 'watch_fanout_load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      trackChild(kid);
      kid.on('message', (m: { opened?: number; failed?: string; mark?: number; arrivals?: unknown; closed?: boolean }) => {
        if (m.opened !== undefined) {
          this.opened += m.opened;
          this.failed ||= m.failed ?? '';
          this.tick('open');
        } else if (m.mark !== undefined) this.tick(`m${m.mark}`);
        else if (m.arrivals !== undefined) {
          this.reports.push(m.arrivals);
          this.tick('report');
        } else if (m.closed) this.tick('close');
      });
      this.kids.push(kid);
    }
  }

  private tick(key: string): void {
    const w = this.waiting.get(key);
    if (w && ++w.got >= w.need) w.done();
  }

  /** resolves true once every child answered `key`, false after timeoutMs */
  private expect(key: string, timeoutMs: number, need = this.kids.length): { wait: Promise<boolean> } {
    let resolve!: (ok: boolean) => void;
    const wait = new Promise<boolean>((r) => (resolve = r));
    const t = setTimeout(() => {
      this.waiting.delete(key);
      resolve(false);
    }, timeoutMs);
    this.waiting.set(key, {
      need,
      got: 0,
      done: () => {
        clearTimeout(t);
        this.waiting.delete(key);
        resolve(true);
      },
    });
    return { wait };
  }

  async open(url: string, p: string, ca: string, token: string, total: number): Promise<number> {
    this.opened = 0;
    this.failed = '';
    const { wait } = this.expect('open', 180_000);
    this.kids.forEach((k, i) => k.send({ open: { url, path: p, ca, token, count: Math.floor(total / this.kids.length) + (i < total % this.kids.length ? 1 : 0) } }));
    await wait;
    if (this.failed) log(`  some watches failed: ${this.failed}`);
    return this.opened;
  }

  /** arms the wait for mark k before the write that carries it */
  armMark(k: number, timeoutMs = 5000): Promise<boolean> {
    return this.expect(`m${k}`, timeoutMs).wait;
  }

  /** per mark, every watcher's arrival time (ms, hrtime), null where it never came */
  async arrivals(): Promise<(number | null)[][]> {
    this.reports = [];
    const { wait } = this.expect('report', 30_000);
    for (const k of this.kids) k.send({ report: true });
    await wait;
    const out: (number | null)[][] = [];
    for (const r of this.reports as (number | null)[][][]) {
      r.forEach((row, k) => (out[k] ??= []).push(...Array.from(row ?? [], (v) => v ?? null)));
    }
    return out;
  }

  async close(): Promise<void> {
    const { wait } = this.expect('close', 10_000);
    for (const k of this.kids) k.send({ close: true });
    await wait;
  }

  stop(): void {
    for (const k of this.kids) {
      if (k.connected) k.send({ exit: true });
      setTimeout(() => k.kill('SIGKILL'), 2000).unref();
    }
  }
}

interface Fanout {
  fromSend: number[];
  fromAck: number[];
  ack: number[];
  missed: number;
}

/** WRITES writes one at a time, each awaited until every watcher has it (or 5 s). */
async function fanout(loaders: Loaders, watchers: number, write: (mark: string) => Promise<void>): Promise<Fanout> {
  const sent: number[] = [];
  const acked: number[] = [];
  for (let k = 0; k < WRITES; k++) {
    const all = loaders.armMark(k);
    sent[k] = nowMs();
    await write(`m${k}`);
    acked[k] = nowMs();
    if (!(await all)) log(`  write ${k}: not every watcher had it within 5 s`);
    await sleep(50);
  }
  const arr = await loaders.arrivals();
  const out: Fanout = { fromSend: [], fromAck: [], ack: [], missed: 0 };
  for (let k = 0; k < WRITES; k++) {
    out.ack.push(acked[k] - sent[k]);
    const row = arr[k] ?? [];
    let got = 0;
    for (const t of row) {
      if (t == null) continue;
      got++;
      out.fromSend.push(t - sent[k]);
      out.fromAck.push(Math.max(0, t - acked[k]));
    }
    out.missed += watchers - got;
  }
  for (const l of [out.fromSend, out.fromAck, out.ack]) l.sort((a, b) => a - b);
  return out;
}

const rows: string[] = [];
const fmt = (l: number[]) => `p50 ${pct(l, 50).toFixed(1)} / p99 ${pct(l, 99).toFixed(1)} / max ${(l[l.length - 1] ?? NaN).toFixed(1)} ms`;

async function benchStore(storage: Storage, loaders: Loaders, floorDone: { done: boolean }): Promise<void> {
  log(`switchyard apiserver on ${storage}`);
  const ts: TestServer = await startServer(storage, SERVER_OPTS);
  const api = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.adminToken, CONCURRENCY);
  const pid = ts.sy.child.pid!;
  const ca = fs.readFileSync(ts.sy.caFile, 'utf8');
  try {
    const made = await fill(api, OBJECTS);
    const watched = await retry(() => api.create(BACKENDS, body('watched', 0)));
    const rv = watched.metadata.resourceVersion as string;
    await sleep(1000);
    const idle = procStatus(pid);
    const heapIdle = await heapOf(api);
    const t0 = performance.now();
    const opened = await loaders.open(ts.sy.apiURL, `${BACKENDS}?watch=1&resourceVersion=${rv}`, ca, ts.sy.adminToken, WATCHERS);
    log(`  ${opened} watches open in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(1000);
    const withWatchers = procStatus(pid);
    const heapWith = await heapOf(api);
    const cpu0 = cpuMs(pid);
    const f = await fanout(loaders, opened, async (mark) => {
      const a = await api.patch(`${BACKENDS}/watched`, 'merge', { metadata: { labels: { mark } } });
      if (a.status !== 200) throw new Error(`write: HTTP ${a.status} ${a.text.slice(0, 200)}`);
    });
    const cpuPerWrite = (cpuMs(pid) - cpu0) / WRITES;
    const after = procStatus(pid);
    const heapAfter = await heapOf(api);
    const burstRows: string[] = [];
    if (BURST > 0) {
      let peak = 0;
      const sampler = setInterval(() => {
        try {
          peak = Math.max(peak, procStatus(pid).rss);
        } catch {
          /* the server is gone: the burst's writes fail and say so */
        }
      }, 100);
      const c0 = cpuMs(pid);
      const t0 = nowMs();
      const last = loaders.armMark(WRITES, 120_000);
      let next = 0;
      let failed = 0;
      let firstError = '';
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < BURST && nowMs() - t0 < 120_000) {
            const i = next++;
            try {
              const a = await api.patch(`${BACKENDS}/bk-${i % Math.max(1, made)}`, 'merge', { metadata: { labels: { burst: String(i) } } }, { timeoutMs: 60_000 });
              if (a.status !== 200) throw new Error(`HTTP ${a.status} ${a.text.slice(0, 200)}`);
            } catch (err) {
              failed++;
              firstError ||= String(err);
            }
          }
        }),
      );
      if (failed) log(`  burst: ${failed} writes failed; first: ${firstError}`);
      const wrote = nowMs();
      await api.patch(`${BACKENDS}/watched`, 'merge', { metadata: { labels: { mark: `m${WRITES}` } } });
      const ok = await last;
      const done = nowMs();
      clearInterval(sampler);
      const cpu = cpuMs(pid) - c0;
      if (failed) burstRows.push(`| switchyard ${storage}: burst writes failed | ${failed} (first: ${firstError.replace(/\|/g, '/').slice(0, 160)}) |`);
      burstRows.push(`| switchyard ${storage}: burst of ${BURST} writes × ${opened} watchers: writes done in / every watcher has the last | ${((wrote - t0) / 1000).toFixed(1)} s / ${ok ? `${((done - t0) / 1000).toFixed(1)} s` : 'not within 120 s'} |`);
      burstRows.push(`| switchyard ${storage}: burst: server CPU per event fanned out, peak RSS | ${(cpu / (BURST + 1)).toFixed(1)} ms, ${peak.toFixed(0)} MiB (HWM ${procStatus(pid).hwm.toFixed(0)} MiB) |`);
    }
    rows.push(`| switchyard ${storage}: write sent → event read, ${opened} watchers × ${WRITES} writes | ${fmt(f.fromSend)}, missed ${f.missed} |`);
    rows.push(`| switchyard ${storage}: write's 200 → event read | ${fmt(f.fromAck)} |`);
    rows.push(`| switchyard ${storage}: the write itself (PATCH sent → 200) | ${fmt(f.ack)} |`);
    rows.push(`| switchyard ${storage}: server CPU per write and its fan-out (/proc) | ${cpuPerWrite.toFixed(1)} ms |`);
    rows.push(`| switchyard ${storage}: V8 idle → with watches → after | ${heapIdle} → ${heapWith} → ${heapAfter} |`);
    rows.push(`| switchyard ${storage}: RSS idle with ${made + 1} Backends → with ${opened} watches → after the writes (peak) | ${idle.rss.toFixed(0)} → ${withWatchers.rss.toFixed(0)} → ${after.rss.toFixed(0)} MiB (peak ${after.hwm.toFixed(0)} MiB) |`);
    rows.push(...burstRows);
    emit(
      { bench: 'apiserver', case: `watch fan-out, ${opened} HTTPS watchers, ${OBJECTS} Backends, ${storage}`, metric: 'p99 write sent → event read', unit: 'ms', value: pct(f.fromSend, 99), goal: { on: 'value', cmp: '<=', target: 50 } },
      { bench: 'apiserver', case: `watch fan-out, ${opened} HTTPS watchers, ${OBJECTS} Backends, ${storage}`, metric: 'p99 write acked → event read', unit: 'ms', value: pct(f.fromAck, 99), goal: { on: 'value', cmp: '<=', target: 50 } },
      { bench: 'apiserver', case: `RSS with ${OBJECTS} Backends and ${opened} watchers, ${storage}`, metric: 'RSS', unit: 'MiB', value: Math.max(withWatchers.rss, after.rss), goal: { on: 'value', cmp: '<=', target: 250 } },
    );
    await loaders.close();
    if (FLOOR && !floorDone.done) {
      floorDone.done = true;
      // the same line the watchers just read, with a placeholder mark
      const obj = (await api.get(`${BACKENDS}/watched`)).json;
      obj.metadata.labels.mark = 'MARK';
      await floor(loaders, ts, `{"type":"MODIFIED","object":${JSON.stringify(obj)}}\n`);
    }
  } catch (err) {
    if (ts.sy.child.exitCode !== null || ts.sy.child.signalCode !== null) {
      log(`the server exited (${ts.sy.child.exitCode ?? ts.sy.child.signalCode}); its last output:\n${ts.sy.logs().slice(-3000)}`);
    }
    throw err;
  } finally {
    await api.close();
    await ts.stop();
  }
}

/** The same fan-out from a plain node HTTPS server (the apiserver's certificate) as the floor. */
async function floor(loaders: Loaders, ts: TestServer, line: string): Promise<void> {
  const dir = tempDir('watch-fanout-floor-');
  fs.writeFileSync(path.join(dir, 'line.json'), line);
  const port = await freePort();
  const kid = spawn(process.execPath, [path.join(__dirname, 'watch_fanout_floor.js'), '--cert', path.join(ts.sy.dataDir, 'serving.crt'), '--key', path.join(ts.sy.dataDir, 'serving.key'), '--port', String(port), '--line-file', path.join(dir, 'line.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  trackChild(kid);
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('floor server not ready in 10 s')), 10_000);
      kid.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('floor ready')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const url = `https://127.0.0.1:${port}`;
    const api = new Api(url, ts.sy.caFile, ts.sy.adminToken, 4);
    try {
      const opened = await loaders.open(url, '/watch', fs.readFileSync(ts.sy.caFile, 'utf8'), ts.sy.adminToken, WATCHERS);
      await sleep(1000);
      const rss = procStatus(kid.pid!);
      const cpu0 = cpuMs(kid.pid!);
      const f = await fanout(loaders, opened, async (mark) => {
        const a = await api.post(`/fire?mark=${mark}`, {});
        if (a.status !== 200) throw new Error(`fire: HTTP ${a.status}`);
      });
      rows.push(`| floor (node https, one Buffer written to each of ${opened} responses): fire sent → line read | ${fmt(f.fromSend)}, missed ${f.missed} |`);
      rows.push(`| floor: fire's 200 → line read | ${fmt(f.fromAck)} |`);
      rows.push(`| floor: server CPU per fire and its fan-out (/proc) | ${((cpuMs(kid.pid!) - cpu0) / WRITES).toFixed(1)} ms |`);
      rows.push(`| floor: RSS with ${opened} held responses | ${rss.rss.toFixed(0)} MiB |`);
      emit({ bench: 'apiserver', case: `watch fan-out floor: node https, ${opened} held responses`, metric: 'p99 fire sent → line read', unit: 'ms', value: pct(f.fromSend, 99) });
      await loaders.close();
    } finally {
      await api.close();
    }
  } finally {
    kid.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const loaders = new Loaders(LOAD_PROCS);
  const floorDone = { done: false };
  try {
    for (const s of STORES) await benchStore(s, loaders, floorDone);
  } finally {
    loaders.stop();
  }
  console.log(`\nwatch fan-out (node ${process.version}, ${require('node:os').cpus().length} CPUs, ${LOAD_PROCS} load processes, one TLS connection per watcher; latencies per watcher per write)\n`);
  console.log(['| measured | result |', '| --- | --- |', ...rows].join('\n'));
  console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    console.log(['| measured | result |', '| --- | --- |', ...rows].join('\n'));
    process.exit(1);
  },
);
