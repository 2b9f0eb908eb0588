// One shape for every benchmark's result rows, so bench/run-all.ts can print one table.
// A bench stays a standalone script that prints its own tables; in addition, when the env
// BENCH_JSON names a file, it appends one JSON line per row to it (emit()), as soon as the number
// exists — a bench killed for its time bound keeps the rows it had already measured.
// Everything here except emit() is pure (table formatting, ratios, goals): see report.test.ts.
import * as fs from 'node:fs';

/** A goal on the row's ratio (value ÷ referenceValue) or on its value itself. */
export interface Goal {
  on: 'ratio' | 'value';
  cmp: '>=' | '<=';
  target: number;
}

export type Status = 'ok' | 'skipped' | 'timed out' | 'failed';

export interface BenchRow {
  /** the bench's name as run-all knows it: storage, apiserver, proxy, dns, facades, console, … */
  bench: string;
  /** what was measured, e.g. "create, 64 writers, etcd ObjectStore" */
  case: string;
  /** e.g. "ops/s", "p50 latency", "req/s" */
  metric: string;
  /** e.g. "ops/s", "ms", "req/s", "KB" */
  unit: string;
  /** switchyard's number; null when there is none (skipped, failed, timed out) */
  value: number | null;
  /** the reference measured in the same run, e.g. "raw etcd3 txn", "nginx" */
  reference?: string;
  referenceValue?: number;
  /** value ÷ referenceValue; filled in by row() when both are there */
  ratio?: number;
  goal?: Goal;
  /** ok unless said otherwise; a non-ok row says why in note */
  status?: Status;
  note?: string;
}

/**
 * A row with its ratio computed when it has a reference value. Only for a value ≥ 0 against a
 * reference > 0: a ratio of differences that can go negative (latency added over direct) means nothing.
 */
export function row(r: BenchRow): BenchRow {
  const out: BenchRow = { ...r };
  if (out.ratio === undefined && out.value !== null && out.referenceValue !== undefined && out.value >= 0 && out.referenceValue > 0 && Number.isFinite(out.value) && Number.isFinite(out.referenceValue)) {
    out.ratio = out.value / out.referenceValue;
  }
  return out;
}

/** A row saying a case could not be measured, and why. */
export function statusRow(bench: string, kase: string, status: Exclude<Status, 'ok'>, note: string): BenchRow {
  return { bench, case: kase, metric: '', unit: '', value: null, status, note };
}

/** Append rows to $BENCH_JSON (one JSON object per line); a no-op when it is not set. */
export function emit(...rows: BenchRow[]): void {
  const file = process.env.BENCH_JSON;
  if (!file || !rows.length) return;
  fs.appendFileSync(file, rows.map((r) => JSON.stringify(row(r)) + '\n').join(''));
}

/** Parse a JSON-lines file of rows; lines that are not rows are skipped (a write cut by a kill). */
export function parseRows(text: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as BenchRow;
      if (r && typeof r.bench === 'string' && typeof r.case === 'string') rows.push(r);
    } catch {
      /* a partial last line */
    }
  }
  return rows;
}

/** true/false when the row has a goal and the number it is on; undefined otherwise. */
export function goalMet(r: BenchRow): boolean | undefined {
  if (!r.goal || (r.status && r.status !== 'ok')) return undefined;
  const x = r.goal.on === 'ratio' ? r.ratio : r.value;
  if (x === undefined || x === null || !Number.isFinite(x)) return undefined;
  return r.goal.cmp === '>=' ? x >= r.goal.target : x <= r.goal.target;
}

/** A number with about three significant digits, thousands unseparated (as the per-bench tables). */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  return x.toPrecision(2);
}

export function fmtRatio(r: number, digits = 2): string {
  return `${r.toFixed(digits)}×`;
}

/** The ratio as printed: one more digit when two would read as the goal it misses (0.947 vs ≥ 0.95). */
function shownRatio(r: BenchRow): string {
  if (r.ratio === undefined || !Number.isFinite(r.ratio)) return '—';
  const two = fmtRatio(r.ratio);
  if (r.goal?.on === 'ratio' && two === fmtRatio(r.goal.target) && goalMet(r) === false) return fmtRatio(r.ratio, 3);
  return two;
}

export function fmtGoal(g: Goal, unit: string): string {
  const cmp = g.cmp === '>=' ? '≥' : '≤';
  const target = Number.isInteger(g.target) ? String(g.target) : fmtNumber(g.target);
  return g.on === 'ratio' ? `${cmp} ${fmtRatio(g.target)}` : `${cmp} ${target} ${unit}`.trim();
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const withUnit = (x: number, unit: string) => `${fmtNumber(x)} ${unit}`.trim();

/** One markdown table: bench | case | switchyard | reference | ratio | goal | met? */
export function formatTable(rows: BenchRow[]): string {
  const lines = ['| bench | case | switchyard | reference | ratio | goal | met? |', '| --- | --- | ---: | ---: | ---: | --- | --- |'];
  for (const raw of rows) {
    const r = row(raw);
    const status = r.status ?? 'ok';
    const what = r.metric ? `${r.case}: ${r.metric}` : r.case;
    let value: string;
    if (status !== 'ok') value = `${status}${r.note ? `: ${r.note}` : ''}`;
    else if (r.value === null) value = r.note ?? '—';
    else value = withUnit(r.value, r.unit);
    const ref = r.reference ? (r.referenceValue !== undefined ? `${r.reference} ${withUnit(r.referenceValue, r.unit)}` : r.reference) : '—';
    const ratio = shownRatio(r);
    const goal = r.goal ? fmtGoal(r.goal, r.unit) : '—';
    const met = goalMet(r);
    lines.push(`| ${[r.bench, what, value, ref, ratio, goal, met === undefined ? '—' : met ? 'yes' : 'no'].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}
