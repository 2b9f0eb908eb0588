// The report run-all writes: one markdown document (the table for the README, then how each bench
// ran) and the raw JSON. renderReport is pure; writeReport puts both files in bench/results/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable, fmtNumber, type BenchRow, type Status } from './report';

export interface BenchRun {
  name: string;
  status: Status;
  seconds: number;
  /** 1-minute load average when it started */
  load: number;
  args: string[];
  note?: string;
}

export interface ReportMeta {
  command: string;
  mode: 'quick' | 'full';
  startedAt: string;
  seconds: number;
  machine: string;
  /** the code measured: commit and uncommitted changes */
  source: string;
  node: string;
  loadStart: number[];
  loadEnd: number[];
}

const loads = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');

export function renderReport(meta: ReportMeta, runs: BenchRun[], rows: BenchRow[]): string {
  const out: string[] = [];
  out.push(`# switchyard benchmarks, one table`);
  out.push('');
  out.push(
    `\`${meta.command}\` (${meta.mode} mode), started ${meta.startedAt}, took ${(meta.seconds / 60).toFixed(1)} min, on ${meta.source}; ${meta.machine}; node ${meta.node}. ` +
      `Load average (1, 5, 15 min) ${loads(meta.loadStart)} at the start, ${loads(meta.loadEnd)} at the end. ` +
      `ratio = switchyard ÷ reference, both measured in the same run.`,
  );
  out.push('');
  out.push(formatTable(rows));
  out.push('');
  out.push('| bench | ran | time | load at start | arguments |');
  out.push('| --- | --- | ---: | ---: | --- |');
  for (const r of runs) {
    const ran = r.status === 'ok' ? 'ok' : `${r.status}${r.note ? `: ${r.note}` : ''}`;
    out.push(`| ${r.name} | ${ran.replace(/\|/g, '\\|')} | ${r.status === 'skipped' ? '—' : `${fmtNumber(r.seconds)} s`} | ${r.load.toFixed(1)} | ${r.args.length ? `\`${r.args.join(' ')}\`` : '(defaults)'} |`);
  }
  return out.join('\n') + '\n';
}

export function writeReport(dir: string, meta: ReportMeta, runs: BenchRun[], rows: BenchRow[]): { md: string; json: string } {
  fs.mkdirSync(dir, { recursive: true });
  const md = path.join(dir, 'latest.md');
  const json = path.join(dir, 'latest.json');
  fs.writeFileSync(md, renderReport(meta, runs, rows));
  fs.writeFileSync(json, JSON.stringify({ meta, runs, rows }, null, 2) + '\n');
  return { md, json };
}
