// apiserver benchmarks over the real binary (`switchyard apiserver`, no controller), HTTPS + token:
//  1. creates at 64 concurrent HTTPS clients on etcd vs raw etcd3 transactions of the same shape
//     (Txn If(mod_revision==0) Put) at 64 concurrency on the same etcd, in the same run, with CPU
//     per create, and on SQLite (creates.ts; --creates N per phase, --rounds R);
//  2. LIST of 10,000 Backends (full list, JSON and Table), on SQLite and on etcd;
//  3. 1,000 concurrent watchers (one HTTP/1.1 connection each): delivery latency of a write to
//     every watcher, and the server's RSS before and with the watchers.
// Prints a markdown table. Bounded: every phase has a time budget.
//   node dist/bench/apiserver/run.js [--seconds 5] [--objects 10000] [--watchers 1000] [--only create,list,watch]
import * as fs from 'node:fs';
import { Client, type Dispatcher } from 'undici';
import { Api, BACKENDS, startServer, type TestServer } from '../../test/apiserver/lib';
import { pct } from '../lib/measure';
import { etcdCreates, sqliteCreates } from './creates';
import { emit, statusRow } from '../lib/report';
import { arg } from '../lib/args';

const SECONDS = Number(arg('seconds', process.env.BENCH_SECONDS ?? '5'));
/** the server logs at the level users run it with (the test harness defaults to debug) */
const SERVER_OPTS = { env: { SWITCHYARD_LOG_LEVEL: arg('log-level', 'info') } };
const OBJECTS = Number(arg('objects', '10000'));
const WATCHERS = Number(arg('watchers', '1000'));
const CONCURRENCY = 64;
const ONLY = new Set(arg('only', 'create,list,watch').split(','));

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  what: string;
  storage: string;
  result: string;
  target: string;
  verdict: string;
}
const rows: Row[] = [];

function body(name: string, i: number) {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name, labels: { app: 'bench', shard: String(i % 16) } },
    spec: { endpoints: [{ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080, weight: 1 }, { fqdn: 'bench.example.com', port: 80 }], protocol: 'h2' },
  };
}

/** Creates until `n` Backends named bk-<i> exist (64 concurrent, at most `budgetMs`). */
async function fill(api: Api, n: number, from = 0, budgetMs = 240_000): Promise<void> {
  let next = from;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n && performance.now() - t0 < budgetMs) {
        const i = next++;
        const a = await api.post(BACKENDS, body(`bk-${i}`, i));
        if (a.status !== 201 && a.status !== 409) throw new Error(`fill: HTTP ${a.status} ${a.text.slice(0, 200)}`);
      }
    }),
  );
  log(`  filled to ${n} Backends in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** API creates vs raw etcd3 txn creates, and on SQLite: bench/apiserver/creates.ts (one shape for both commands). */
const createLines: string[] = [];
const CREATE_OPTS = { creates: Number(arg('creates', '2000')), rounds: Number(arg('rounds', '3')), maxSeconds: Math.max(30, SECONDS * 10), sqlite: true, logLevel: SERVER_OPTS.env.SWITCHYARD_LOG_LEVEL };

async function createBench(ts: TestServer): Promise<number> {
  const res = await etcdCreates(ts, CREATE_OPTS);
  createLines.push(...res.lines);
  return res.created;
}

async function listBench(ts: TestServer, label: string, have: number): Promise<void> {
  const api = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.adminToken, CONCURRENCY);
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  try {
    await fill(api, OBJECTS, Math.min(have, OBJECTS));
    // one variant = one way a client reads every Backend; each is timed over several rounds
    const variants: { name: string; target?: number; run: () => Promise<number> }[] = [
      { name: 'LIST all Backends, JSON, no limit (client-node informer)', target: 150, run: () => getAll('application/json', 0) },
      { name: 'LIST all Backends, Table, no limit (kubectl get --chunk-size=0)', run: () => getAll(TABLE, 0) },
      { name: 'LIST all Backends, Table, limit=500 pages walked (kubectl get)', run: () => getAll(TABLE, 500) },
      { name: 'LIST first page, Table, limit=500', run: () => getAll(TABLE, 500, true) },
    ];
    let count = 0;
    async function getAll(accept: string, limit: number, firstOnly = false): Promise<number> {
      let cont = '';
      let n = 0;
      do {
        const q = limit ? `?limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}` : '';
        const a = await api.get(BACKENDS + q, { accept, timeoutMs: 120_000 });
        if (a.status !== 200) throw new Error(`HTTP ${a.status}: ${String(a.json?.message ?? a.text).slice(0, 160)}`);
        n += (a.json.items ?? a.json.rows).length;
        cont = a.json.metadata?.continue ?? '';
      } while (cont && !firstOnly);
      return n;
    }
    for (const v of variants) {
      const lat: number[] = [];
      let error = '';
      const t0 = performance.now();
      for (let i = 0; i < 11 && performance.now() - t0 < 30_000; i++) {
        const t = performance.now();
        try {
          const n = await v.run();
          if (i > 0) lat.push(performance.now() - t); // the first round warms up
          if (!v.name.includes('first page')) count = n;
        } catch (err) {
          error = (err as Error).message;
          break;
        }
      }
      lat.sort((a, b) => a - b);
      const what = v.name.replace('all Backends', `${count || OBJECTS} Backends`);
      if (error) {
        rows.push({ what, storage: label, result: `fails: ${error.replace(/\|/g, '/')}`, target: v.target ? `≤ ${v.target} ms` : '—', verdict: v.target ? 'missed' : '' });
        emit(statusRow('apiserver', `${what}, ${label}`, 'failed', error));
        continue;
      }
      const p50 = pct(lat, 50);
      rows.push({ what, storage: label, result: `p50 ${p50.toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms (${lat.length} runs)`, target: v.target ? `≤ ${v.target} ms` : '—', verdict: v.target ? (p50 <= v.target ? 'met' : 'missed') : '' });
      emit({ bench: 'apiserver', case: `${what}, ${label}`, metric: 'p50', unit: 'ms', value: p50, ...(v.target ? { goal: { on: 'value' as const, cmp: '<=' as const, target: v.target } } : {}) });
    }
  } finally {
    await api.close();
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function watchBench(ts: TestServer): Promise<void> {
  const ca = fs.readFileSync(ts.sy.caFile, 'utf8');
  const pid = ts.sy.child.pid!;
  const api = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.adminToken, 4);
  const clients: Client[] = [];
  const rssBefore = rssMiB(pid);
  try {
    await api.create(BACKENDS, body('watched', 0));
    const rv = (await api.get(`${BACKENDS}?limit=1`)).json.metadata.resourceVersion as string;
    // latest arrival per watcher and per write
    const arrivals: Map<string, number>[] = [];
    let opened = 0;
    const t0 = performance.now();
    const open = async (w: number) => {
      const c = new Client(ts.sy.apiURL, { connect: { ca }, pipelining: 1, bodyTimeout: 0, headersTimeout: 30_000 });
      clients.push(c);
      arrivals[w] = new Map();
      const res = await c.request({ path: `${BACKENDS}?watch=1&resourceVersion=${rv}`, method: 'GET', headers: { authorization: `Bearer ${ts.sy.adminToken}` } } as Dispatcher.RequestOptions);
      if (res.statusCode !== 200) throw new Error(`watch ${w}: HTTP ${res.statusCode}`);
      opened++;
      let buf = '';
      res.body.on('data', (chunk: Buffer) => {
        const now = performance.now();
        buf += chunk.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const m = /"mark":"(m\d+)"/.exec(line);
          if (m) arrivals[w].set(m[1], now);
        }
      });
      res.body.on('error', () => undefined);
    };
    // open in batches so the TLS handshakes do not all queue at once
    for (let i = 0; i < WATCHERS; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, WATCHERS - i) }, (_, j) => open(i + j)));
      if (performance.now() - t0 > 60_000) throw new Error(`only ${opened} watchers opened within 60 s`);
    }
    log(`  ${opened} watchers open in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(500);
    const rssWith = rssMiB(pid);
    const delivery: number[] = [];
    const afterAck: number[] = [];
    const writeLat: number[] = [];
    let missing = 0;
    for (let k = 0; k < 10; k++) {
      const mark = `m${k}`;
      const at = performance.now();
      const a = await api.patch(`${BACKENDS}/watched`, 'merge', { metadata: { labels: { mark } } });
      const acked = performance.now();
      writeLat.push(acked - at);
      if (a.status !== 200) throw new Error(`write: HTTP ${a.status}`);
      // wait (bounded) for every watcher to see it
      const deadline = performance.now() + 5000;
      while (performance.now() < deadline && arrivals.filter((m) => m?.has(mark)).length < opened) await sleep(5);
      for (let w = 0; w < opened; w++) {
        const got = arrivals[w].get(mark);
        if (got === undefined) missing++;
        else {
          delivery.push(got - at);
          afterAck.push(Math.max(0, got - acked));
        }
      }
      await sleep(100);
    }
    for (const l of [delivery, afterAck, writeLat]) l.sort((a, b) => a - b);
    const p99 = pct(delivery, 99);
    rows.push({ what: `watch delivery, ${opened} watchers × 10 writes: write sent → event read by each watcher`, storage: ts.storage, result: `p50 ${pct(delivery, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${delivery[delivery.length - 1]?.toFixed(1)} ms, missed ${missing}`, target: 'p99 ≤ 50 ms', verdict: p99 <= 50 && missing === 0 ? 'met' : 'missed' });
    rows.push({ what: '… of which the write itself (PATCH sent → 200 received)', storage: ts.storage, result: `p50 ${pct(writeLat, 50).toFixed(1)} ms, max ${writeLat[writeLat.length - 1].toFixed(1)} ms`, target: '—', verdict: '' });
    rows.push({ what: '… and after the write was acknowledged (200 received → event read)', storage: ts.storage, result: `p50 ${pct(afterAck, 50).toFixed(1)} ms, p99 ${pct(afterAck, 99).toFixed(1)} ms`, target: '—', verdict: '' });
    emit(
      { bench: 'apiserver', case: `watch delivery, ${opened} watchers × 10 writes, ${ts.storage}`, metric: 'p99 write sent → event read', unit: 'ms', value: p99, goal: { on: 'value', cmp: '<=', target: 50 } },
      { bench: 'apiserver', case: `watch delivery, ${opened} watchers × 10 writes, ${ts.storage}`, metric: 'events missed', unit: '', value: missing, goal: { on: 'value', cmp: '<=', target: 0 } },
      { bench: 'apiserver', case: `server RSS with ${opened} open watches, ${ts.storage}`, metric: 'per watcher', unit: 'KiB', value: ((rssWith - rssBefore) * 1024) / opened },
    );
    rows.push({ what: `server RSS: idle → with ${opened} open watches`, storage: ts.storage, result: `${rssBefore.toFixed(0)} MiB → ${rssWith.toFixed(0)} MiB (+${((rssWith - rssBefore) * 1024 / opened).toFixed(0)} KiB/watcher)`, target: '—', verdict: '' });
  } finally {
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
    await api.close();
  }
}

function printTable(): void {
  const lines = ['| benchmark | storage | result | target | |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.what} | ${r.storage} | ${r.result} | ${r.target} | ${r.verdict} |`);
  console.log(`\napiserver benchmarks (node ${process.version}, ${require('node:os').cpus().length} CPUs, switchyard apiserver over HTTPS with a bearer token; ${SECONDS} s per create phase)\n`);
  console.log(lines.join('\n'));
  if (createLines.length) {
    console.log(`\ncreates (${CREATE_OPTS.creates} per phase, ${CREATE_OPTS.rounds} rounds, API and raw etcd3 alternated; CPU from /proc/<pid>/stat)\n`);
    console.log(['| benchmark | storage | result | target |', '| --- | --- | --- | --- |', ...createLines].join('\n'));
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  let etcdTs: TestServer | undefined;
  let sqliteTs: TestServer | undefined;
  try {
    if (ONLY.has('create') || ONLY.has('list')) {
      etcdTs = await startServer('etcd', SERVER_OPTS);
      log(`switchyard on etcd at ${etcdTs.sy.apiURL} (etcd ${etcdTs.etcd!.clientURL})`);
      let have = 0;
      if (ONLY.has('create')) have = await createBench(etcdTs);
      if (ONLY.has('list')) {
        log(`LIST on etcd`);
        await listBench(etcdTs, 'etcd', have);
      }
      await etcdTs.stop();
      etcdTs = undefined;
    }
    if (ONLY.has('list') || ONLY.has('watch') || ONLY.has('create')) {
      sqliteTs = await startServer('sqlite', SERVER_OPTS);
      log(`switchyard on SQLite at ${sqliteTs.sy.apiURL}`);
      if (ONLY.has('create')) createLines.push(...(await sqliteCreates(sqliteTs, CREATE_OPTS)));
      if (ONLY.has('list')) {
        log('LIST on SQLite');
        await listBench(sqliteTs, 'sqlite', 0);
      }
      if (ONLY.has('watch')) {
        // a fresh server, so its RSS is not the list benchmark's heap
        await sqliteTs.stop();
        sqliteTs = await startServer('sqlite', SERVER_OPTS);
        await sleep(1000);
        log(`${WATCHERS} watchers on a fresh SQLite server`);
        await watchBench(sqliteTs);
      }
    }
  } finally {
    await etcdTs?.stop();
    await sqliteTs?.stop();
  }
  printTable();
  console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    printTable();
    process.exit(1);
  },
);
