import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareNamespaceForCreate } from './namespace_validate';
import type { Namespace } from './types';

test('a created namespace is Active and labelled kubernetes.io/metadata.name=<name>, its own labels kept', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'a', 'kubernetes.io/metadata.name': 'forged' } } } as Namespace;
  prepareNamespaceForCreate(ns);
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(ns.metadata.labels, { team: 'a', 'kubernetes.io/metadata.name': 'apps' });
});
