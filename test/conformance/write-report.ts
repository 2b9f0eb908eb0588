// `node dist/test/conformance/write-report.js <results dir> <report.yaml>`: merges the shards'
// results (shard.ts) into the upstream ConformanceReport. Exits 1 when a shard is missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROFILE_EXTENDED_FEATURES, UPSTREAM_VERSION } from './catalog';
import { reportYAML, type TestResult } from './report';
import type { ShardResults } from './shard';

function main(): void {
  const [dir, out] = process.argv.slice(2);
  if (!dir || !out) {
    console.error('usage: write-report <results dir> <report.yaml>');
    process.exit(2);
  }
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^shard-\d+\.json$/.test(f)) : [];
  if (files.length !== 3) {
    console.error(`expected 3 shard results in ${dir}, found ${files.length}`);
    process.exit(1);
  }
  const shards = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ShardResults);
  const results: TestResult[] = shards.flatMap((s) => s.results).sort((a, b) => a.name.localeCompare(b.name));
  const root = path.resolve(__dirname, '..', '..', '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
  const yaml = reportYAML({
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    version: `v${pkg.version ?? '0.0.0'}`,
    gatewayAPIVersion: UPSTREAM_VERSION,
    supportedFeatures: shards[0]!.supportedFeatures,
    profileExtendedFeatures: PROFILE_EXTENDED_FEATURES,
    results,
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, yaml);
  console.log(`wrote ${out}`);
  process.stdout.write(yaml.split('\n').filter((l) => /result:|Passed|Failed|Skipped|FAILED/.test(l)).join('\n') + '\n');
}

main();
