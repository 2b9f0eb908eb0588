// The layering of pkg/, checked on the sources: a plain scan of every `from '…'` (and `import('…')`)
// in the non-test .ts files, resolved to repository paths, failing on an arrow that runs the wrong
// way. DNS is below the proxy; the controller, the proxy and the facades reach storage only through
// the apiserver's registry and shared utilities; the facades learn names from apis/, not from the
// controller.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = process.env.SWITCHYARD_REPO_ROOT ?? path.resolve(__dirname, '..', '..');

/** [from-prefix, to-prefix, why] — repository-relative directories */
export const FORBIDDEN: readonly [string, string, string][] = [
  ['pkg/dns/', 'pkg/proxy/', 'the DNS cache is below the proxy: its config types live in pkg/dns'],
  ['pkg/controller/', 'pkg/storage/', 'the controller talks to the apiserver, not to storage (canonical JSON is pkg/util)'],
  ['pkg/proxy/', 'pkg/storage/', 'the data plane never touches storage (canonical JSON is pkg/util)'],
  ['pkg/facades/', 'pkg/storage/', 'facades go through the registry, never storage internals'],
  ['pkg/facades/', 'pkg/controller/', 'label and annotation names are API (apis/annotations.ts)'],
];

const IMPORT = /\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative import of one file's text, as repository-relative paths. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    out.push(path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep).join('/'));
  }
  return out;
}

/** The forbidden arrows among `files` (`from → to: why`). */
export function forbiddenArrows(files: readonly { file: string; text: string }[]): string[] {
  const bad: string[] = [];
  for (const { file, text } of files) {
    const from = path.relative(ROOT, file).split(path.sep).join('/');
    for (const to of importsOf(file, text)) {
      for (const [a, b, why] of FORBIDDEN) {
        if (from.startsWith(a) && (to + '/').startsWith(b)) bad.push(`${from} → ${to}: ${why}`);
      }
    }
  }
  return bad;
}

describe('import graph', () => {
  it('no arrow runs the wrong way in pkg/', () => {
    const files = sourceFiles(path.join(ROOT, 'pkg')).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
    assert.ok(files.length > 100, `found the sources under ${ROOT}`);
    assert.deepEqual(forbiddenArrows(files), []);
  });

  it('the scan sees each kind of import (positive control)', () => {
    const f = (rel: string, text: string) => ({ file: path.join(ROOT, rel), text });
    const bad = forbiddenArrows([
      f('pkg/dns/x.ts', "import type { BackendIR } from '../proxy/ir';"),
      f('pkg/controller/a/y.ts', "import {\n  canonicalJSON,\n} from '../../storage/codec';"),
      f('pkg/facades/z/w.ts', "export { FACADE_LABEL } from '../../controller/translate/backends';\nconst m = import('../../storage/interface');"),
      f('pkg/proxy/ok.ts', "import { canonicalJSON } from '../util/canonical_json';\nimport { x } from 'node:fs';"),
    ]);
    assert.equal(bad.length, 4, bad.join('\n'));
    assert.match(bad[0], /^pkg\/dns\/x\.ts → pkg\/proxy\/ir:/);
    assert.match(bad[1], /^pkg\/controller\/a\/y\.ts → pkg\/storage\/codec:/);
  });
});
