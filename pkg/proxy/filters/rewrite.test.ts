import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replacePath, rewritePath, type PathModifierIR } from './rewrite';

const prefix = (value: string): PathModifierIR => ({ type: 'ReplacePrefixMatch', value });
const full = (value: string): PathModifierIR => ({ type: 'ReplaceFullPath', value });

test('replacePath: ReplacePrefixMatch (the Gateway API table) and ReplaceFullPath', () => {
  // [request path, matched prefix as the router reports it, modifier, want]
  const table: Array<[string, string | undefined, PathModifierIR, string]> = [
    ['/foo/bar', '/foo', prefix('/xyz'), '/xyz/bar'],
    ['/foo/bar', '/foo', prefix('/xyz/'), '/xyz/bar'],
    ['/foo/bar', '/foo/', prefix('/xyz'), '/xyz/bar'],
    ['/foo/bar', '/foo/', prefix('/xyz/'), '/xyz/bar'],
    ['/foo', '/foo', prefix('/xyz'), '/xyz'],
    ['/foo/', '/foo', prefix('/xyz'), '/xyz/'],
    ['/foo/bar', '/foo', prefix(''), '/bar'],
    ['/foo/', '/foo', prefix(''), '/'],
    ['/foo', '/foo', prefix(''), '/'],
    ['/foo/', '/foo', prefix('/'), '/'],
    ['/foo', '/foo', prefix('/'), '/'],
    // conformance HTTPRouteRewritePath
    ['/prefix/one/two', '/prefix/one', prefix('/one'), '/one/two'],
    ['/strip-prefix/three', '/strip-prefix', prefix('/'), '/three'],
    ['/strip-prefix', '/strip-prefix', prefix('/'), '/'],
    ['/prefix/x', '/prefix', prefix('/'), '/x'],
    ['/prefix', '/prefix', prefix('/'), '/'],
    // the prefix `/` (reported as '') prepends
    ['/x/y', '', prefix('/api'), '/api/x/y'],
    ['/', '', prefix('/api'), '/api/'],
    ['/x', '/', prefix('/api'), '/api/x'],
    ['/a//b', '/a', prefix('/z'), '/z//b'],
    ['/foo/bar', '/foo', prefix('xyz'), '/xyz/bar'],
    // no matched prefix (Exact/RegularExpression match) or a foreign one: unchanged
    ['/foo/bar', undefined, prefix('/xyz'), '/foo/bar'],
    ['/foo/bar', '/other', prefix('/xyz'), '/foo/bar'],
    ['/full/one/two', '/full', full('/one'), '/one'],
    ['/anything', undefined, full('/replaced'), '/replaced'],
    ['/anything', undefined, full(''), '/'],
  ];
  for (const [path, mp, mod, want] of table) {
    assert.equal(replacePath(path, mod, mp), want, `${path} ${JSON.stringify(mp)} ${mod.type} ${mod.value}`);
  }
});

test('rewritePath keeps the query and passes a filter without path through', () => {
  const table: Array<[string, string, { path?: PathModifierIR }, string | undefined, string]> = [
    ['/prefix/one/three', 'query=param', { path: prefix('/one') }, '/prefix/one', '/one/three?query=param'],
    ['/full/path', 'a=1&b=2', { path: full('/one') }, undefined, '/one?a=1&b=2'],
    ['/same', '', {}, undefined, '/same'],
    ['/same', 'q', {}, undefined, '/same?q'],
    ['/x', '', { path: full('/y') }, undefined, '/y'],
  ];
  for (const [path, query, filter, mp, want] of table) assert.equal(rewritePath(path, query, filter, mp), want, `${path}?${query}`);
});
