// One shard of the conformance run as node:test tests: its own `switchyard serve`, the catalog
// entries at index ≡ shard (mod shards) (so shards run side by side and each stays within the
// per-file timeout). Core tests must pass (a failure fails the file); an Extended test that fails is
// recorded as failed and shown as a diagnostic without failing the file; unsupported or
// untranslated tests are skipped with the reason. CONFORMANCE_ALL_FEATURES=1 also tries the tests of
// features the class does not claim (development; writes no results). CONFORMANCE_RESULTS=<dir> writes the shard's
// results there for write-report.ts (`make conformance`). CONFORMANCE_ONLY=a,b runs those only.
import { after, before, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { CATALOG } from './catalog';
import { isCore } from './report';
import { Runner } from './runner';

export interface ShardResults {
  supportedFeatures: string[];
  results: Runner['results'];
}

export function defineShard(shard: number, shards: number): void {
  const runner = new Runner();
  const only = process.env.CONFORMANCE_ONLY?.split(',');
  const entries = CATALOG.filter((e, i) => i % shards === shard && (!only || only.includes(e.name)));

  before(async () => {
    await runner.start();
  });

  after(async () => {
    await runner.stop();
    const dir = process.env.CONFORMANCE_RESULTS;
    if (!dir || process.env.CONFORMANCE_ALL_FEATURES === '1') return; // a report only of what the class claims
    fs.mkdirSync(dir, { recursive: true });
    const out: ShardResults = { supportedFeatures: runner.supportedFeatures, results: runner.results };
    fs.writeFileSync(path.join(dir, `shard-${shard}.json`), JSON.stringify(out, null, 1));
  });

  it('the GatewayClass is Accepted and lists the Core features', () => {
    for (const f of ['Gateway', 'HTTPRoute', 'ReferenceGrant']) assert.ok(runner.supportedFeatures.includes(f), f);
  });

  for (const entry of entries) {
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
}
