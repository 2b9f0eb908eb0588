import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, decodeJsonPatch, JsonPatchError } from './json_patch';

const doc = () => ({ spec: { list: [1, 2, 3], m: { a: 1 } } }) as Record<string, unknown>;
const fails = (ops: Record<string, unknown>[], msg: string) =>
  assert.throws(() => applyJsonPatch(doc(), ops), (e: unknown) => e instanceof JsonPatchError && e.message === msg);

describe('json patch (evanphx/json-patch v4 semantics)', () => {
  it('applies add/remove/replace/move/copy/test, negative indexes from the end', () => {
    const out = applyJsonPatch(doc(), [
      { op: 'add', path: '/spec/list/-1', value: 9 },
      { op: 'remove', path: '/spec/list/0' },
      { op: 'replace', path: '/spec/m/b', value: 2 },
      { op: 'move', from: '/spec/m/a', path: '/spec/a' },
      { op: 'copy', from: '/spec/list', path: '/spec/copy' },
      { op: 'test', path: '/spec/a', value: 1 },
      { op: 'test', path: '/spec/absent' },
    ]);
    assert.deepEqual(out, { spec: { list: [2, 3, 9], m: { b: 2 }, a: 1, copy: [2, 3, 9] } });
  });

  it('answers kube\'s messages, never a TypeError', () => {
    fails([{ op: 'add', path: '/spec/x/y', value: 1 }], 'add operation does not apply: doc is missing path: "/spec/x/y": missing value');
    fails([{ op: 'add', path: '/spec/list/5', value: 1 }], "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced");
    fails([{ op: 'add', path: '/spec/list/x', value: 1 }], `error in add for path: '/spec/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`);
    fails([{ op: 'remove', path: '/spec/zz' }], "error in remove for path: '/spec/zz': Unable to remove nonexistent key: zz: missing value");
    fails([{ op: 'replace', path: '/spec/list/3', value: 1 }], 'replace operation does not apply: doc is missing key: /spec/list/3: missing value');
    fails([{ op: 'test', path: '/spec/m/a', value: 2 }], 'testing value /spec/m/a failed: test failed');
    fails([{ op: 'copy', from: '/nope/x', path: '/a' }], 'copy operation does not apply: doc is missing from path: /nope/x: missing value');
    fails([{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value');
    fails([{ path: '/a' }], 'Unexpected kind: unknown');
    fails([{ op: 'add', path: '/spec/m/a/b', value: 1 }], 'add operation does not apply: doc is missing path: "/spec/m/a/b": missing value');
  });

  it('"__proto__" and Object.prototype names are ordinary members', () => {
    const d = doc();
    const out = applyJsonPatch(d, [{ op: 'add', path: '/spec/__proto__', value: { polluted: true } }, { op: 'add', path: '/spec/toString', value: 1 }]) as { spec: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(out.spec), Object.prototype);
    assert.deepEqual(Object.keys(out.spec), ['list', 'm', '__proto__', 'toString']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    fails([{ op: 'remove', path: '/spec/constructor' }], "error in remove for path: '/spec/constructor': Unable to remove nonexistent key: constructor: missing value");
    fails([{ op: 'add', path: '/spec/constructor/x', value: 1 }], 'add operation does not apply: doc is missing path: "/spec/constructor/x": missing value');
  });

  it('decode refuses what Go would not unmarshal into a Patch', () => {
    assert.throws(() => decodeJsonPatch({ op: 'add' }), /cannot unmarshal object into Go value of type jsonpatch.Patch/);
    assert.throws(() => decodeJsonPatch(['x']), /cannot unmarshal string into Go value of type jsonpatch.Operation/);
    assert.equal(decodeJsonPatch([{ op: 'add' }]).length, 1);
  });
});
