import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderModIR } from '../ir';
import { applyHeaderMod, compileHeaderMod, headerModFor, modifyHeaders, withoutFramingHeaders } from './headers';

const mod = (m: Partial<HeaderModIR>): HeaderModIR => ({ set: m.set ?? [], add: m.add ?? [], remove: m.remove ?? [] });
const kv = (name: string, value: string) => ({ name, value });

test('applyHeaderMod: set, add and remove over raw headers', () => {
  const table: Array<{ name: string; raw: string[]; mod: HeaderModIR; want: string[] }> = [
    {
      name: 'add appends to an existing value with a bare comma',
      raw: ['Host', 'h', 'X-Header-Add-Append', 'request-val'],
      mod: mod({ add: [kv('X-Header-Add-Append', 'add-appends-values')] }),
      want: ['Host', 'h', 'X-Header-Add-Append', 'request-val,add-appends-values'],
    },
    {
      name: 'add matches names case-insensitively and keeps the received spelling',
      raw: ['x-a', '1'],
      mod: mod({ add: [kv('X-A', '2')] }),
      want: ['x-a', '1,2'],
    },
    {
      name: 'add appends to the last of several occurrences',
      raw: ['X-A', '1', 'Y', 'y', 'x-a', '2'],
      mod: mod({ add: [kv('x-a', '3')] }),
      want: ['X-A', '1', 'Y', 'y', 'x-a', '2,3'],
    },
    {
      name: 'add creates the header when absent',
      raw: ['Host', 'h'],
      mod: mod({ add: [kv('X-Header-Add', 'header-val-1')] }),
      want: ['Host', 'h', 'X-Header-Add', 'header-val-1'],
    },
    {
      name: 'add to an empty value gives just the value',
      raw: ['X-E', ''],
      mod: mod({ add: [kv('x-e', 'v')] }),
      want: ['X-E', 'v'],
    },
    {
      name: 'two adds of one name join in order',
      raw: [],
      mod: mod({ add: [kv('X-M', 'a'), kv('x-m', 'b')] }),
      want: ['X-M', 'a,b'],
    },
    {
      name: 'set-cookie is never comma-joined',
      raw: ['Set-Cookie', 'a=1'],
      mod: mod({ add: [kv('Set-Cookie', 'b=2'), kv('set-cookie', 'c=3')] }),
      want: ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'set-cookie', 'c=3'],
    },
    {
      name: 'set replaces every occurrence in place of the first one',
      raw: ['A', '1', 'X-Header-Set', 'some-other-value', 'B', '2', 'x-header-set', 'again'],
      mod: mod({ set: [kv('X-Header-Set', 'set-overwrites-values')] }),
      want: ['A', '1', 'X-Header-Set', 'set-overwrites-values', 'B', '2'],
    },
    {
      name: 'set adds the header when absent',
      raw: ['A', '1'],
      mod: mod({ set: [kv('X-Header-Set', 'v')] }),
      want: ['A', '1', 'X-Header-Set', 'v'],
    },
    {
      name: 'duplicate set names: the first wins',
      raw: [],
      mod: mod({ set: [kv('X', '1'), kv('x', '2')] }),
      want: ['X', '1'],
    },
    {
      name: 'remove drops every occurrence, case-insensitively',
      raw: ['X-Header-Remove', 'a', 'Keep', 'k', 'x-header-remove', 'b'],
      mod: mod({ remove: ['x-HEADER-remove'] }),
      want: ['Keep', 'k'],
    },
    {
      name: 'remove of an absent header is a no-op',
      raw: ['A', '1'],
      mod: mod({ remove: ['nope'] }),
      want: ['A', '1'],
    },
    {
      name: 'order: remove, then set, then add (set wins over remove; add applies to the set value)',
      raw: ['X-R', 'old', 'X-S', 'old'],
      mod: mod({ remove: ['x-r', 'x-s'], set: [kv('X-S', 'new')], add: [kv('X-R', 'added'), kv('X-S', 'more')] }),
      want: ['X-S', 'new,more', 'X-R', 'added'],
    },
    {
      name: 'add after a set that was appended at the end',
      raw: ['A', '1'],
      mod: mod({ set: [kv('X-N', 's')], add: [kv('x-n', 'a')] }),
      want: ['A', '1', 'X-N', 's,a'],
    },
    {
      name: 'the conformance RequestHeaderModifier all-in-one case',
      raw: ['Host', 'example.com:8080', 'X-Header-Set', 'some-other-value', 'X-Header-Add-Append', 'request-val', 'X-Header-Remove', 'val'],
      mod: mod({ set: [kv('X-Header-Set', 'set-overwrites-values')], add: [kv('X-Header-Add', 'header-val-1'), kv('X-Header-Add-Append', 'add-appends-values')], remove: ['X-Header-Remove'] }),
      want: ['Host', 'example.com:8080', 'X-Header-Set', 'set-overwrites-values', 'X-Header-Add-Append', 'request-val,add-appends-values', 'X-Header-Add', 'header-val-1'],
    },
    {
      name: 'an empty modifier copies',
      raw: ['A', '1', 'a', '2'],
      mod: mod({}),
      want: ['A', '1', 'a', '2'],
    },
  ];
  for (const c of table) {
    const input = c.raw.slice();
    const got = applyHeaderMod(input, compileHeaderMod(c.mod));
    assert.deepEqual(got, c.want, c.name);
    assert.deepEqual(input, c.raw, `${c.name}: input untouched`);
    assert.notEqual(got, input, `${c.name}: a new array`);
    assert.deepEqual(modifyHeaders(c.raw, c.mod), c.want, `${c.name} (modifyHeaders)`);
  }
});

test('headerModFor memoises per HeaderModIR object', () => {
  const m = mod({ set: [kv('A', '1')] });
  assert.equal(headerModFor(m), headerModFor(m));
  assert.notEqual(headerModFor(m), headerModFor(mod({ set: [kv('A', '1')] })));
  const c = compileHeaderMod(mod({ set: [kv('X-A', '1')], add: [kv('X-B', '2')], remove: ['X-C'] }));
  assert.deepEqual([c.setLower, c.addLower, c.removeLower, c.empty], [['x-a'], ['x-b'], ['x-c'], false]);
});

test('withoutFramingHeaders: configuration never sets or adds Content-Length, Transfer-Encoding or hop-by-hop headers', () => {
  const mod = { set: [{ name: 'Content-Length', value: '2' }, { name: 'X-A', value: '1' }], add: [{ name: 'transfer-encoding', value: 'chunked' }, { name: 'Connection', value: 'close' }, { name: 'X-B', value: '2' }], remove: ['content-length'] };
  assert.deepEqual(withoutFramingHeaders(mod), { set: [{ name: 'X-A', value: '1' }], add: [{ name: 'X-B', value: '2' }], remove: ['content-length'] });
  // positive control: an ordinary modifier is the same object
  const plain = { set: [{ name: 'X-A', value: '1' }], add: [], remove: [] };
  assert.equal(withoutFramingHeaders(plain), plain);
});
