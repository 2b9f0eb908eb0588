// The direct route table's URL split: the parameters express's first matching resource route
// gives, and undefined (express decides) for every form that is not plain.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchResourcePath } from './resource_path';

describe('matchResourcePath', () => {
  it('splits the resource routes as express does', () => {
    const cases: [string, object][] = [
      ['/api/v1/configmaps', { version: 'v1', plural: 'configmaps' }],
      ['/api/v1/namespaces', { version: 'v1', plural: 'namespaces' }],
      ['/api/v1/namespaces/team', { version: 'v1', plural: 'namespaces', name: 'team' }],
      ['/api/v1/namespaces/team/status', { version: 'v1', namespace: 'team', plural: 'status' }],
      ['/api/v1/namespaces/team/configmaps/c1', { version: 'v1', namespace: 'team', plural: 'configmaps', name: 'c1' }],
      ['/api/v1/namespaces/team/services/s/status', { version: 'v1', namespace: 'team', plural: 'services', name: 's', sub: 'status' }],
      ['/apis/core.apoxy.dev/v1alpha2/backends', { group: 'core.apoxy.dev', version: 'v1alpha2', plural: 'backends' }],
      ['/apis/core.apoxy.dev/v1alpha2/backends?watch=1&resourceVersion=5', { group: 'core.apoxy.dev', version: 'v1alpha2', plural: 'backends' }],
      ['/apis/core.apoxy.dev/v1alpha2/backends/b%20one/status', { group: 'core.apoxy.dev', version: 'v1alpha2', plural: 'backends', name: 'b one', sub: 'status' }],
      ['/apis/g/v/namespaces/ns/p/n/s', { group: 'g', version: 'v', namespace: 'ns', plural: 'p', name: 'n', sub: 's' }],
    ];
    for (const [url, want] of cases) assert.deepEqual(matchResourcePath(url), want, url);
  });

  it('leaves every other form to express', () => {
    for (const url of [
      '/api', '/api/v1', '/apis', '/apis/g', '/apis/g/v', '/healthz', '/openapi/v3', 'backends', '',
      '/apis/g/v/backends/', '/apis/g/v//backends', '//apis/g/v/backends', // empty segments, trailing slash
      '/APIS/g/v/backends', '/Api/v1/configmaps', '/api/v1/NAMESPACES/team/configmaps', // express's case-insensitive literals
      '/apis/g/v/backends/%zz', '/apis/g/v/backends/a%E0%A4%A', // escapes express answers 400
      '/apis/g/v/p/n/s/extra', '/api/v1/namespaces/ns/p/n/s/extra', '/apis/g/v/backends#x',
    ]) assert.equal(matchResourcePath(url), undefined, url);
  });
});
