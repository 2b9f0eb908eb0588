import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emit, fmtGoal, fmtNumber, formatTable, goalMet, parseRows, row, statusRow, type BenchRow } from './report';

const create: BenchRow = { bench: 'apiserver', case: 'creates, 64 concurrent', metric: 'creates/s', unit: '/s', value: 700, reference: 'raw etcd3 txn', referenceValue: 1000, goal: { on: 'ratio', cmp: '>=', target: 0.7 } };

test('row() computes value ÷ reference, and only when both are numbers', () => {
  assert.equal(row(create).ratio, 0.7);
  assert.equal(row({ ...create, referenceValue: undefined }).ratio, undefined);
  assert.equal(row({ ...create, value: null }).ratio, undefined);
  assert.equal(row({ ...create, referenceValue: 0 }).ratio, undefined);
  assert.equal(row({ ...create, value: -1.3, referenceValue: 25 }).ratio, undefined, 'no ratio of a negative difference');
  assert.equal(row({ ...create, ratio: 2 }).ratio, 2, 'a ratio the bench set is kept');
});

test('goalMet: on the ratio or on the value, either direction, boundary included', () => {
  assert.equal(goalMet(row(create)), true);
  assert.equal(goalMet(row({ ...create, value: 699 })), false);
  const list: BenchRow = { bench: 'apiserver', case: 'LIST', metric: 'p50', unit: 'ms', value: 150, goal: { on: 'value', cmp: '<=', target: 150 } };
  assert.equal(goalMet(list), true);
  assert.equal(goalMet({ ...list, value: 151 }), false);
  assert.equal(goalMet({ ...list, goal: undefined }), undefined);
  assert.equal(goalMet({ ...list, value: null }), undefined);
  assert.equal(goalMet({ ...list, status: 'timed out' }), undefined);
  assert.equal(goalMet(row({ ...create, referenceValue: undefined })), undefined, 'no reference: no ratio to judge');
});

test('numbers and goals print as the per-bench tables do', () => {
  assert.equal(fmtNumber(15561.4), '15561');
  assert.equal(fmtNumber(33.04), '33.0');
  assert.equal(fmtNumber(2.384), '2.38');
  assert.equal(fmtNumber(0.0712), '0.071');
  assert.equal(fmtNumber(0), '0');
  assert.equal(fmtNumber(16), '16', 'a count stays whole');
  assert.equal(fmtGoal({ on: 'ratio', cmp: '>=', target: 0.7 }, '/s'), '≥ 0.70×');
  assert.equal(fmtGoal({ on: 'value', cmp: '<=', target: 150 }, 'ms'), '≤ 150 ms');
  assert.equal(fmtGoal({ on: 'value', cmp: '<=', target: 1 }, 'ms'), '≤ 1 ms');
  assert.equal(fmtGoal({ on: 'value', cmp: '<=', target: 0.5 }, 'ms'), '≤ 0.50 ms');
});

test('formatTable: one line per row, status rows say why, pipes escaped', () => {
  const rows = [
    create,
    { bench: 'apiserver', case: 'LIST 10000', metric: 'p50', unit: 'ms', value: 212, goal: { on: 'value', cmp: '<=', target: 150 } } as BenchRow,
    statusRow('console', 'all cases', 'skipped', 'no Chromium at /usr/bin/chromium'),
    statusRow('proxy', 'a | b', 'timed out', 'killed after 180 s'),
  ];
  const lines = formatTable(rows).split('\n');
  assert.equal(lines.length, 2 + rows.length);
  assert.equal(lines[0], '| bench | case | switchyard | reference | ratio | goal | met? |');
  assert.equal(lines[2], '| apiserver | creates, 64 concurrent: creates/s | 700 /s | raw etcd3 txn 1000 /s | 0.70× | ≥ 0.70× | yes |');
  assert.equal(lines[3], '| apiserver | LIST 10000: p50 | 212 ms | — | — | ≤ 150 ms | no |');
  assert.equal(lines[4], '| console | all cases | skipped: no Chromium at /usr/bin/chromium | — | — | — | — |');
  assert.equal(lines[5], '| proxy | a \\| b | timed out: killed after 180 s | — | — | — | — |');
});

test('formatTable: a ratio just under its goal does not print as the goal', () => {
  const dns: BenchRow = { bench: 'dns', case: 'forward vs static', metric: 'req/s', unit: 'req/s', value: 17056, reference: 'static', referenceValue: 18010, goal: { on: 'ratio', cmp: '>=', target: 0.95 } };
  assert.match(formatTable([dns]), /\| 0\.947× \| ≥ 0\.95× \| no \|$/);
  assert.match(formatTable([{ ...dns, value: 18010 }]), /\| 1\.00× \| ≥ 0\.95× \| yes \|$/);
});

test('emit appends JSON lines to $BENCH_JSON that parseRows reads back; a cut last line is dropped', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'report-test-')), 'rows.jsonl');
  const saved = process.env.BENCH_JSON;
  process.env.BENCH_JSON = file;
  try {
    emit(create);
    emit(statusRow('dns', 'x', 'failed', 'boom'));
  } finally {
    if (saved === undefined) delete process.env.BENCH_JSON;
    else process.env.BENCH_JSON = saved;
  }
  fs.appendFileSync(file, '{"bench":"cut');
  const back = parseRows(fs.readFileSync(file, 'utf8'));
  assert.equal(back.length, 2);
  assert.equal(back[0].ratio, 0.7);
  assert.equal(back[1].status, 'failed');
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
