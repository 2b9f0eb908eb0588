// The upstream Gateway API conformance suite's Gateway and HTTPRoute tests (GATEWAY-HTTP profile),
// translated and run against the real `switchyard serve` with kubectl and loopback echo pods.
//   Core tests must pass (a failure fails this file). Extended tests that fail are recorded as
//   failed in the report and shown as diagnostics, without failing the file; unsupported or
//   untranslated tests are skipped with the reason.
//   CONFORMANCE_REPORT=<path> writes the ConformanceReport there (`make conformance`).
import { after, before, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { CATALOG, PROFILE_EXTENDED_FEATURES, UPSTREAM_VERSION } from './catalog';
import { isCore, reportYAML } from './report';
import { Runner } from './runner';
import { REPO_ROOT } from '../harness/switchyard';

const runner = new Runner();

before(async () => {
  await runner.start();
});

after(async () => {
  await runner.stop();
  const out = process.env.CONFORMANCE_REPORT;
  if (!out || runner.results.length === 0) return;
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  const yaml = reportYAML({
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    version: `v${pkg.version ?? '0.0.0'}`,
    gatewayAPIVersion: UPSTREAM_VERSION,
    supportedFeatures: runner.supportedFeatures,
    profileExtendedFeatures: PROFILE_EXTENDED_FEATURES,
    results: runner.results,
  });
  const file = path.isAbsolute(out) ? out : path.join(REPO_ROOT, out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, yaml);
});

it('the GatewayClass is Accepted and lists the Core features', () => {
  for (const f of ['Gateway', 'HTTPRoute', 'ReferenceGrant']) assert.ok(runner.supportedFeatures.includes(f), f);
});

const only = process.env.CONFORMANCE_ONLY?.split(',');
for (const entry of CATALOG) {
  if (only && !only.includes(entry.name)) continue;
  const kind = isCore(entry.features) ? 'Core' : 'Extended';
  it(`${entry.name} (${kind}${entry.provisional ? ', provisional' : ''})`, async (t) => {
    const outcome = await runner.run(entry);
    if (outcome.state === 'skipped') return t.skip(outcome.reason);
    if (outcome.state === 'failed') {
      if (kind === 'Core' && !entry.provisional) assert.fail(outcome.reason);
      t.diagnostic(`FAILED (recorded in the report): ${outcome.reason}`);
    }
  });
}
