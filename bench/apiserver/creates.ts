// Creates through the API against raw etcd3 transactions, in one run on one etcd:
//  - raw: the load generator's own etcd3 client, Txn If(mod_revision == 0) Then Put of a stored
//    Backend's bytes (the shape pkg/storage/create.ts sends), 64 concurrent;
//  - api: POST of a Backend to `switchyard apiserver --etcd-servers` over HTTPS (keep-alive agent,
//    64 connections, a bearer token as kubectl sends), 64 concurrent;
// alternated (raw, api, raw, api, …) with the same count of creates per phase, so both see the same
// etcd state and machine load. Reports creates/s of each, the ratio per round and overall, and CPU
// per create from /proc/<pid>/stat: the apiserver's, etcd's and the load generator's. Then the same
// API creates on the SQLite store. Bounded: every phase stops at --creates or --max-seconds.
//   node dist/bench/apiserver/creates.js [--creates 3000] [--rounds 3] [--max-seconds 60] [--sqlite yes|no]
// --instructions N: instead, the apiserver (on etcd) runs under callgrind and the bench reports the
// instructions it executed per create over N creates (after a warm-up; --instr-concurrency, 16):
// repeatable on a machine shared with other work, unlike time.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { Agent } from 'undici';
import { encode } from '../../pkg/storage/codec';
import type { KObject } from '../../apis/meta/v1/types';
import { Api, BACKENDS, startServer, type TestServer } from '../../test/apiserver/lib';
import { measureCount, type CountMeasured } from '../lib/measure_count';
import { emit } from '../lib/report';
import { arg } from '../lib/args';

const CONCURRENCY = 64;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

export interface CreatesOptions {
  creates: number;
  rounds: number;
  maxSeconds: number;
  sqlite: boolean;
  /** the server's --log-level (users' default: info) */
  logLevel: string;
}

/** A Backend as a client sends it: labels, two endpoints, a protocol. */
export function backendBody(name: string, i: number) {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name, labels: { app: 'bench', shard: String(i % 16) } },
    spec: { endpoints: [{ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080, weight: 1 }, { fqdn: 'bench.example.com', port: 80 }], protocol: 'h2' },
  };
}

/** The object as switchyard stores it (uid, timestamps, managedFields): the raw reference's bytes. */
function storedBackend(name: string, i: number): KObject {
  const b = backendBody(name, i);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ...b,
    metadata: {
      ...b.metadata,
      uid: randomUUID(),
      creationTimestamp: now,
      generation: 1,
      managedFields: [{ manager: 'bench', operation: 'Update', apiVersion: 'core.apoxy.dev/v1alpha2', time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:shard': {} } }, 'f:spec': { '.': {}, 'f:endpoints': {}, 'f:protocol': {} } } }],
    },
  } as KObject;
}

interface Phase extends CountMeasured {
  kind: 'raw' | 'api';
}

const us = (cpuSeconds: number, ops: number) => (ops ? (cpuSeconds * 1e6) / ops : NaN);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function apiPhase(api: Api, prefix: string, o: CreatesOptions, pids: Record<string, number | undefined>): Promise<CountMeasured> {
  return measureCount(
    o.creates,
    CONCURRENCY,
    async (i) => {
      const a = await api.post(BACKENDS, backendBody(`${prefix}-${i}`, i));
      if (a.status !== 201) throw new Error(`HTTP ${a.status} ${a.text.slice(0, 200)}`);
    },
    { pids, maxSeconds: o.maxSeconds, maxErrors: 200, log },
  );
}

function line(name: string, m: CountMeasured): string {
  const cpu = Object.entries(m.cpu).map(([k, v]) => `${k} ${us(v, m.ops).toFixed(0)} µs`).join(', ');
  return `  ${name}: ${m.ops} in ${m.seconds.toFixed(2)} s = ${m.rate.toFixed(0)}/s (p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms); CPU per create: ${cpu}, generator ${us(m.selfCpu, m.ops).toFixed(0)} µs`;
}

export interface CreatesResult {
  lines: string[];
  created: number;
}

/** The etcd comparison on a started etcd-backed server; returns the table lines. */
export async function etcdCreates(ts: TestServer, o: CreatesOptions): Promise<CreatesResult> {
  const api = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.adminToken, CONCURRENCY);
  const raw = new Etcd3({ hosts: [ts.etcd!.clientURL] });
  const pids = { apiserver: ts.sy.child.pid, etcd: ts.etcd!.pid };
  const run = Date.now().toString(36);
  const phases: Phase[] = [];
  let created = 0;
  try {
    // warm up: TLS connections, both clients' channels, the JIT on both sides
    const warm = Math.min(o.creates, 1000);
    await apiPhase(api, `warm-${run}`, { ...o, creates: warm }, {});
    await measureCount(warm, CONCURRENCY, async (i) => {
      const key = `/bench-raw/${run}/warm/${i}`;
      await raw.if(key, 'Mod', '==', 0).then(raw.put(key).value(encode(storedBackend(`warm-${i}`, i)))).commit();
    });
    for (let round = 0; round < o.rounds; round++) {
      const r = await measureCount(
        o.creates,
        CONCURRENCY,
        async (i) => {
          const key = `/bench-raw/${run}/${round}/${i}`;
          const res = await raw.if(key, 'Mod', '==', 0).then(raw.put(key).value(encode(storedBackend(`r${round}-${i}`, i)))).commit();
          if (!res.succeeded) throw new Error(`raw create of ${key} did not apply`);
        },
        { pids: { etcd: pids.etcd }, maxSeconds: o.maxSeconds, log },
      );
      log(line(`round ${round + 1} raw etcd3 txn`, r));
      const a = await apiPhase(api, `bk-${run}-${round}`, o, pids);
      created += a.ops;
      log(line(`round ${round + 1} API`, a));
      phases.push({ ...r, kind: 'raw' }, { ...a, kind: 'api' });
    }
  } finally {
    raw.close();
    await api.close();
  }
  const raws = phases.filter((p) => p.kind === 'raw');
  const apis = phases.filter((p) => p.kind === 'api');
  const total = (ps: Phase[]) => {
    const ops = ps.reduce((s, p) => s + p.ops, 0);
    const seconds = ps.reduce((s, p) => s + p.seconds, 0);
    const sum = (k: string) => ps.reduce((s, p) => s + (p.cpu[k] ?? 0), 0);
    return { ops, rate: ops / seconds, apiserverUs: us(sum('apiserver'), ops), etcdUs: us(sum('etcd'), ops), genUs: us(ps.reduce((s, p) => s + p.selfCpu, 0), ops) };
  };
  const R = total(raws);
  const A = total(apis);
  const ratios = apis.map((a, k) => a.rate / raws[k].rate);
  const ratio = A.rate / R.rate;
  emit({ bench: 'apiserver', case: `creates, ${CONCURRENCY} concurrent HTTPS clients, etcd`, metric: 'creates/s', unit: '/s', value: A.rate, reference: 'raw etcd3 txn', referenceValue: R.rate, goal: { on: 'ratio', cmp: '>=', target: 0.7 } });
  emit({ bench: 'apiserver', case: `creates, ${CONCURRENCY} concurrent HTTPS clients, etcd`, metric: 'apiserver CPU per create', unit: 'µs', value: A.apiserverUs, goal: { on: 'value', cmp: '<=', target: 200 } });
  return {
    created,
    lines: [
      `| API creates/s, ${CONCURRENCY} concurrent (HTTPS, bearer token, full apiserver path) | etcd | ${A.rate.toFixed(0)}/s (${A.ops} in ${o.rounds} rounds) | — |`,
      `| raw etcd3 Txn(mod==0 → put) creates/s, ${CONCURRENCY} concurrent (reference) | etcd | ${R.rate.toFixed(0)}/s (${R.ops} in ${o.rounds} rounds) | — |`,
      `| API ÷ raw etcd3 creates | etcd | ${ratio.toFixed(2)}× (per round ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}) | ≥ 0.70× ${ratio >= 0.7 ? 'met' : 'missed'} |`,
      `| apiserver CPU per API create | etcd | ${A.apiserverUs.toFixed(0)} µs | ≤ 200 µs ${A.apiserverUs <= 200 ? 'met' : 'missed'} |`,
      `| etcd CPU per create: API / raw | etcd | ${A.etcdUs.toFixed(0)} µs / ${R.etcdUs.toFixed(0)} µs | — |`,
      `| load generator CPU per create: API (HTTPS client) / raw (etcd3 client) | etcd | ${A.genUs.toFixed(0)} µs / ${R.genUs.toFixed(0)} µs | — |`,
    ],
  };
}

/** API creates on the SQLite store (no reference: SQLite is in-process). */
export async function sqliteCreates(ts: TestServer, o: CreatesOptions): Promise<string[]> {
  const api = new Api(ts.sy.apiURL, ts.sy.caFile, ts.sy.adminToken, CONCURRENCY);
  const run = Date.now().toString(36);
  const pids = { apiserver: ts.sy.child.pid };
  const ms: CountMeasured[] = [];
  try {
    await apiPhase(api, `warm-${run}`, { ...o, creates: Math.min(o.creates, 1000) }, {});
    for (let round = 0; round < o.rounds; round++) {
      const m = await apiPhase(api, `bk-${run}-${round}`, o, pids);
      log(line(`round ${round + 1} API on SQLite`, m));
      ms.push(m);
    }
  } finally {
    await api.close();
  }
  const ops = ms.reduce((s, m) => s + m.ops, 0);
  const rate = ops / ms.reduce((s, m) => s + m.seconds, 0);
  const cpuUs = us(ms.reduce((s, m) => s + (m.cpu.apiserver ?? 0), 0), ops);
  emit({ bench: 'apiserver', case: `creates, ${CONCURRENCY} concurrent HTTPS clients, sqlite`, metric: 'creates/s', unit: '/s', value: rate });
  emit({ bench: 'apiserver', case: `creates, ${CONCURRENCY} concurrent HTTPS clients, sqlite`, metric: 'apiserver CPU per create', unit: 'µs', value: cpuUs });
  return [
    `| API creates/s, ${CONCURRENCY} concurrent (HTTPS, bearer token) | sqlite | ${rate.toFixed(0)}/s (${ops} in ${o.rounds} rounds) | — |`,
    `| apiserver CPU per API create (includes SQLite's fsyncs' CPU) | sqlite | ${cpuUs.toFixed(0)} µs | — |`,
  ];
}

export function optionsFromArgs(): CreatesOptions {
  return {
    creates: Number(arg('creates', '3000')),
    rounds: Number(arg('rounds', '3')),
    maxSeconds: Number(arg('max-seconds', '60')),
    sqlite: arg('sqlite', 'yes') !== 'no',
    logLevel: arg('log-level', 'info'),
  };
}

/** Instructions the apiserver executes per create (callgrind), on etcd. */
async function instructionsPerCreate(n: number, concurrency: number, logLevel: string): Promise<void> {
  const out = `/tmp/switchyard-callgrind-${process.pid}`;
  process.env.SWITCHYARD_TEST_EXEC_WRAPPER = `valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file --callgrind-out-file=${out}.%p`;
  const ts = await startServer('etcd', { env: { SWITCHYARD_LOG_LEVEL: logLevel, SWITCHYARD_ETCD_CALL_TIMEOUT_MS: '120000' }, readyTimeoutMs: 900_000 });
  const pid = ts.sy.child.pid!;
  // undici's default 10 s connect timeout is too short for a TLS handshake under callgrind
  const agent = new Agent({ connect: { ca: fs.readFileSync(ts.sy.caFile, 'utf8'), timeout: 600_000 }, connections: concurrency, pipelining: 1, headersTimeout: 600_000, bodyTimeout: 600_000 });
  const run = Date.now().toString(36);
  const post = (prefix: string) => async (i: number) => {
    const res = await agent.request({
      origin: ts.sy.apiURL,
      path: BACKENDS,
      method: 'POST',
      headers: { authorization: `Bearer ${ts.sy.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(backendBody(`${prefix}-${i}`, i)),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  };
  try {
    log(`apiserver under callgrind (pid ${pid}); warming up`);
    await measureCount(Math.max(200, n), concurrency, post(`warm-${run}`), { maxSeconds: 1800 });
    execFileSync('callgrind_control', ['-i', 'on', String(pid)], { stdio: 'ignore' });
    const m = await measureCount(n, concurrency, post(`bk-${run}`), { maxSeconds: 1800 });
    execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-i', 'off', String(pid)], { stdio: 'ignore' });
    const dumps = fs.readdirSync('/tmp').filter((f) => f.startsWith(`switchyard-callgrind-${process.pid}.${pid}`)).map((f) => `/tmp/${f}`);
    let ir = 0;
    for (const f of dumps) {
      const t = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(f, 'utf8'));
      if (t) ir += Number(t[1]);
    }
    console.log(`\napiserver instructions per API create (callgrind, ${m.ops} creates at ${concurrency} concurrent, ${m.errors} errors, log level ${logLevel}): ${(ir / m.ops / 1e6).toFixed(3)} M  (dumps: ${dumps.join(' ')})`);
  } finally {
    await agent.close();
    await ts.stop();
  }
}

async function main(): Promise<void> {
  const o = optionsFromArgs();
  const instr = Number(arg('instructions', '0'));
  if (instr > 0) return instructionsPerCreate(instr, Number(arg('instr-concurrency', '16')), o.logLevel);
  const serverOpts = { env: { SWITCHYARD_LOG_LEVEL: o.logLevel } };
  const lines = ['| benchmark | storage | result | target |', '| --- | --- | --- | --- |'];
  let ts: TestServer | undefined;
  try {
    ts = await startServer('etcd', serverOpts);
    log(`switchyard apiserver on etcd at ${ts.sy.apiURL} (pid ${ts.sy.child.pid}; etcd ${ts.etcd!.clientURL}, pid ${ts.etcd!.pid})`);
    lines.push(...(await etcdCreates(ts, o)).lines);
    await ts.stop();
    ts = undefined;
    if (o.sqlite) {
      ts = await startServer('sqlite', serverOpts);
      log(`switchyard apiserver on SQLite at ${ts.sy.apiURL} (pid ${ts.sy.child.pid})`);
      lines.push(...(await sqliteCreates(ts, o)));
    }
  } finally {
    await ts?.stop();
  }
  console.log(`\nAPI creates vs raw etcd3 (node ${process.version}, ${require('node:os').cpus().length} CPUs, load ${require('node:os').loadavg()[0].toFixed(1)}; ${o.creates} creates per phase, ${o.rounds} rounds, alternated)\n`);
  console.log(lines.join('\n'));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
