import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalBase64, configMapKeyErrors } from './data_keys';
import { normalizeSecret, validateSecret, validateSecretUpdate } from './secret_validate';
import { normalizeConfigMap, validateConfigMap, validateConfigMapUpdate } from './configmap_validate';
import { namespaceDeletionRefusal } from './namespace_validate';
import type { Secret } from './types';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Secret', () => {
  it('data is Go base64: padding required, CR/LF ignored, offsets as Go reports them', () => {
    assert.deepEqual(canonicalBase64('YWJj'), { ok: true, value: 'YWJj' });
    assert.deepEqual(canonicalBase64('YW\nJj'), { ok: true, value: 'YWJj' });
    assert.deepEqual(canonicalBase64('YWI'), { ok: false, offset: 0 });
    assert.deepEqual(canonicalBase64('YWJj!'), { ok: false, offset: 4 });
  });

  it('stringData merges over data and disappears; type defaults to Opaque; a bad value names no data', () => {
    const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: b64('1'), b: b64('2') }, stringData: { b: 'x', c: 'y' } };
    assert.equal(normalizeSecret(s), undefined);
    assert.deepEqual(s.data, { a: b64('1'), b: b64('x'), c: b64('y') });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, 'Opaque');
    const bad: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: {}, data: { a: 'secret-value!' } };
    const err = normalizeSecret(bad)!;
    assert.match(err, /illegal base64 data at input byte/);
    assert.ok(!err.includes('secret-value'));
  });

  it('kubernetes.io/tls needs tls.crt and tls.key; keys follow IsConfigMapKey; type is immutable', () => {
    const tls = (data: Record<string, string>): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: {}, type: 'kubernetes.io/tls', data });
    assert.deepEqual(validateSecret(tls({ 'tls.crt': 'eA==' })).map((e) => e.field), ['data[tls.key]']);
    assert.deepEqual(validateSecret(tls({ 'tls.crt': 'eA==', 'tls.key': 'eA==' })), []);
    assert.equal(validateSecret({ apiVersion: 'v1', kind: 'Secret', metadata: {}, type: 'Opaque', data: { 'a/b': 'eA==' } })[0].field, 'data[a/b]');
    const errs = validateSecretUpdate({ ...tls({ 'tls.crt': 'eA==', 'tls.key': 'eA==' }) }, { apiVersion: 'v1', kind: 'Secret', metadata: {}, type: 'Opaque' });
    assert.deepEqual(errs.map((e) => [e.field, e.detail]), [['type', 'field is immutable']]);
  });

  it('immutable: true freezes data and cannot be unset', () => {
    const old: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: {}, type: 'Opaque', immutable: true, data: { a: 'eA==' } };
    assert.deepEqual(validateSecretUpdate({ ...old }, old), []);
    assert.equal(validateSecretUpdate({ ...old, data: { a: 'eQ==' } }, old).length, 1);
    assert.equal(validateSecretUpdate({ ...old, immutable: false }, old).length, 1);
  });
});

describe('ConfigMap', () => {
  it('config keys as kube: no slashes, not . or .., not starting with ..', () => {
    assert.deepEqual(configMapKeyErrors('app.properties'), []);
    assert.deepEqual(configMapKeyErrors('__proto__'), []);
    assert.equal(configMapKeyErrors('a/b').length, 1);
    assert.equal(configMapKeyErrors('..x').length, 1);
    assert.equal(configMapKeyErrors('.').length, 1);
    assert.equal(configMapKeyErrors('x'.repeat(254)).length, 1);
  });

  it('binaryData is base64 and may not repeat a data key; immutable freezes both', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { k: 'v' }, binaryData: { k: 'dg==' } };
    assert.equal(normalizeConfigMap(cm), undefined);
    assert.deepEqual(validateConfigMap(cm).map((e) => e.detail), ['duplicate of key present in data']);
    assert.match(normalizeConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, binaryData: { k: '%%%' } })!, /illegal base64/);
    const old = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, immutable: true, data: { k: 'v' } };
    assert.equal(validateConfigMapUpdate({ ...old, data: { k: 'w' } }, old).length, 1);
    assert.deepEqual(validateConfigMapUpdate({ ...old }, old), []);
  });
});

describe('Namespace deletion', () => {
  it('default and switchyard-system never (403); a non-empty one is refused (409); an empty one may go', () => {
    assert.equal(namespaceDeletionRefusal('default', [])?.code, 403);
    assert.equal(namespaceDeletionRefusal('switchyard-system', [])?.code, 403);
    const full = namespaceDeletionRefusal('team', [{ resource: 'secrets', count: 1 }, { resource: 'configmaps', count: 0 }]);
    assert.equal(full?.code, 409);
    assert.match(full!.message, /still holds secrets\)/);
    assert.equal(namespaceDeletionRefusal('team', [{ resource: 'secrets', count: 0 }]), undefined);
  });
});
