// Storage write throughput: creates/s and updates/s at 1 and 64 concurrent writers, for the SQLite
// store, for ObjectStore over EtcdDriver, and for raw etcd3 transactions of the same shape (the
// reference: create = Txn If(mod==0) Put, update = Txn If(mod==rv) Put) on the same etcd in the
// same run. Prints a markdown table; the ratio column is ObjectStore-etcd / raw etcd3.
//   node dist/bench/storage/run.js [--seconds 3] [--writers 1,64] [--only sqlite,etcd,raw]
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import type { KObject } from '../../apis/meta/v1/types';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { EtcdDriver } from '../../pkg/storage/etcd/driver';
import { encode } from '../../pkg/storage/codec';
import type { Store } from '../../pkg/storage/interface';
import { startEtcd, type EtcdMember } from '../../test/harness/etcd';
import { measure as measureLoop } from '../lib/measure';
import { tempDir } from '../../test/harness/tmp';
import { emit } from '../lib/report';
import { arg } from '../lib/args';

/** update-cached: the writer passes the object it holds (kube's cachedExistingObject): no read */
type Op = 'create' | 'update' | 'update-cached';
type Target = 'sqlite' | 'etcd' | 'raw';

interface Cell {
  target: Target;
  op: Op;
  writers: number;
  ops: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

const SECONDS = Number(arg('seconds', process.env.BENCH_SECONDS ?? '3'));
const WRITERS = arg('writers', '1,64').split(',').map(Number);
const ONLY = new Set(arg('only', 'sqlite,etcd,raw').split(',') as Target[]);
const LABEL: Record<Target, string> = { sqlite: 'SQLite (ObjectStore)', etcd: 'etcd (ObjectStore)', raw: 'etcd3 raw txn' };

function backend(name: string, n: number): KObject {
  return {
    apiVersion: 'core.apoxy.dev/v1alpha2',
    kind: 'Backend',
    metadata: { name, uid: randomUUID(), creationTimestamp: new Date().toISOString(), labels: { app: 'bench' } },
    spec: { endpoints: [{ ip: '10.0.0.1', port: 8080, weight: 1 }, { fqdn: 'bench.example.com', port: 80 }], protocol: 'h2', n },
  };
}

/** Run `writers` loops of `one(w, i)` for SECONDS; count completed ops and latencies. */
async function measure(writers: number, one: (w: number, i: number) => Promise<void>): Promise<Omit<Cell, 'target' | 'op' | 'writers'>> {
  const { ops, errors, seconds, p50, p99 } = await measureLoop(SECONDS, writers, one);
  return { ops, errors, seconds, p50, p99 };
}

async function storeCell(target: Target, store: Store, op: Op, writers: number, run: string): Promise<Cell> {
  const base = `/registry/core.apoxy.dev/backends-bench-${run}-${target}-${op}-${writers}/`;
  if (op === 'create') {
    const r = await measure(writers, async (w, i) => {
      await store.create(`${base}w${w}-${i}`, backend(`w${w}-${i}`, i));
    });
    return { target, op, writers, ...r };
  }
  // updates: one key per writer, so the number measures throughput, not contention
  await Promise.all(Array.from({ length: writers }, (_, w) => store.create(`${base}w${w}`, backend(`w${w}`, 0))));
  const held: KObject[] = await Promise.all(Array.from({ length: writers }, (_, w) => store.get(`${base}w${w}`)));
  const r = await measure(writers, async (w, i) => {
    const res = await store.guaranteedUpdate(
      `${base}w${w}`,
      undefined,
      (cur) => ({ ...cur, spec: { ...(cur.spec as object), n: i + 1 } }),
      op === 'update-cached' ? held[w] : undefined,
    );
    held[w] = res.object;
  });
  return { target, op, writers, ...r };
}

async function rawCell(client: Etcd3, op: Op, writers: number, run: string): Promise<Cell> {
  const base = `/registry/core.apoxy.dev/backends-bench-${run}-raw-${op}-${writers}/`;
  if (op === 'create') {
    const r = await measure(writers, async (w, i) => {
      const key = `${base}w${w}-${i}`;
      const res = await client.if(key, 'Mod', '==', 0).then(client.put(key).value(encode(backend(`w${w}-${i}`, i)))).commit();
      if (!res.succeeded) throw new Error(`raw create of ${key} did not apply`);
    });
    return { target: 'raw', op, writers, ...r };
  }
  const revs: number[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const key = `${base}w${w}`;
      const res = await client.if(key, 'Mod', '==', 0).then(client.put(key).value(encode(backend(`w${w}`, 0)))).commit();
      revs[w] = Number(res.header.revision);
    }),
  );
  const r = await measure(writers, async (w, i) => {
    const key = `${base}w${w}`;
    const res = await client.if(key, 'Mod', '==', revs[w]).then(client.put(key).value(encode(backend(`w${w}`, i + 1)))).commit();
    if (!res.succeeded) throw new Error(`raw update of ${key} lost its compare`);
    revs[w] = Number(res.header.revision);
  });
  return { target: 'raw', op, writers, ...r };
}

function table(cells: Cell[]): string {
  const rate = (c: Cell) => c.ops / c.seconds;
  const refOp = (op: Op): Op => (op === 'update-cached' ? 'update' : op);
  const raw = (c: Cell) => cells.find((x) => x.target === 'raw' && x.op === refOp(c.op) && x.writers === c.writers);
  const rows = [
    '| store | op | writers | ops/s | p50 ms | p99 ms | errors | vs raw etcd3 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const order: Target[] = ['sqlite', 'etcd', 'raw'];
  for (const op of ['create', 'update', 'update-cached'] as Op[]) {
    for (const writers of WRITERS) {
      for (const target of order) {
        const c = cells.find((x) => x.target === target && x.op === op && x.writers === writers);
        if (!c) continue;
        const ref = raw(c);
        const ratio = ref && target !== 'raw' ? `${(rate(c) / rate(ref)).toFixed(2)}×` : target === 'raw' ? '1.00×' : '—';
        rows.push(
          `| ${LABEL[target]} | ${op} | ${writers} | ${rate(c).toFixed(0)} | ${c.p50.toFixed(2)} | ${c.p99.toFixed(2)} | ${c.errors} | ${ratio} |`,
        );
      }
    }
  }
  return rows.join('\n');
}

/** BENCH_JSON rows for one (op, writers) group: each store against raw etcd3 (update-cached against raw update). */
function emitGroup(cells: Cell[], op: Op, writers: number): void {
  const refOp: Op = op === 'update-cached' ? 'update' : op;
  const ref = cells.find((x) => x.target === 'raw' && x.op === refOp && x.writers === writers);
  for (const c of cells.filter((x) => x.target !== 'raw' && x.op === op && x.writers === writers)) {
    emit({
      bench: 'storage',
      case: `${op}, ${writers} writer${writers === 1 ? '' : 's'}, ${LABEL[c.target]}`,
      metric: 'ops/s',
      unit: 'ops/s',
      value: c.ops / c.seconds,
      ...(ref ? { reference: `${LABEL.raw} ${refOp}`, referenceValue: ref.ops / ref.seconds } : {}),
      ...(c.errors ? { note: `${c.errors} errors` } : {}),
    });
  }
}

async function main(): Promise<void> {
  const run = Date.now().toString(36);
  const cells: Cell[] = [];
  let member: EtcdMember | undefined;
  let sqlite: SqliteDriver | undefined;
  let etcdDriver: EtcdDriver | undefined;
  let raw: Etcd3 | undefined;
  try {
    if (ONLY.has('etcd') || ONLY.has('raw')) {
      member = await startEtcd();
      process.stderr.write(`etcd at ${member.clientURL} (data dir ${member.dataDir})\n`);
    }
    if (ONLY.has('sqlite')) sqlite = new SqliteDriver({ file: path.join(tempDir('switchyard-bench-'), 'bench.db') });
    if (ONLY.has('etcd')) etcdDriver = new EtcdDriver({ endpoints: [member!.clientURL] });
    if (ONLY.has('raw')) raw = new Etcd3({ hosts: [member!.clientURL] });

    for (const op of ['create', 'update', 'update-cached'] as Op[]) {
      for (const writers of WRITERS) {
        // raw and ObjectStore-etcd back to back, so they see the same etcd state
        const plan: [Target, () => Promise<Cell>][] = [];
        if (sqlite) plan.push(['sqlite', () => storeCell('sqlite', new ObjectStore(sqlite!), op, writers, run)]);
        if (raw && op !== 'update-cached') plan.push(['raw', () => rawCell(raw!, op, writers, run)]);
        if (etcdDriver) plan.push(['etcd', () => storeCell('etcd', new ObjectStore(etcdDriver!), op, writers, run)]);
        for (const [target, fn] of plan) {
          process.stderr.write(`${LABEL[target]}: ${op} × ${writers} writers for ${SECONDS} s ...\n`);
          const c = await fn();
          process.stderr.write(`  ${(c.ops / c.seconds).toFixed(0)} ops/s\n`);
          cells.push(c);
        }
        emitGroup(cells, op, writers);
      }
    }
  } finally {
    raw?.close();
    await etcdDriver?.close();
    await sqlite?.close();
    await member?.stop();
  }
  console.log(`\nStorage write throughput (${SECONDS} s per cell; node ${process.version}; update = guaranteedUpdate on one key per writer)\n`);
  console.log(table(cells));
  console.log('\nObjectStore update is get + Txn (two round trips); update-cached passes the object the writer holds (one Txn, a re-read only on conflict), which is what the raw reference does; both are compared with raw update.');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
