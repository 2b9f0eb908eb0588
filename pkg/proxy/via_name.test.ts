import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { viaNameFor, VIA_NAME_FILE } from './via_name';

test('viaNameFor: generated once per data dir and kept; the flag wins; a bad flag is refused', () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'via-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'via-b-'));
  try {
    const first = viaNameFor(a, undefined);
    assert.match(first, /^switchyard-[0-9a-f]{12}$/);
    assert.equal(viaNameFor(a, undefined), first, 'kept across starts');
    assert.equal(fs.readFileSync(path.join(a, VIA_NAME_FILE), 'utf8').trim(), first);
    assert.notEqual(viaNameFor(b, undefined), first, 'another data dir, another name');
    assert.equal(viaNameFor(a, 'edge-1'), 'edge-1');
    assert.throws(() => viaNameFor(a, 'a b'), /not a token/);
    assert.equal(fs.readdirSync(a).filter((f) => f.endsWith('.tmp')).length, 0);
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});
