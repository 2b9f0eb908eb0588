// Request bodies no client can turn into a 500 or a surprise, decoded as kube-apiserver decodes
// them: keys named like Object.prototype members are ordinary unknown fields; lone surrogates
// become U+FFFD as in Go; duplicate JSON keys are refused by fieldValidation=Strict and warned
// by Warn; resourceVersionMatch with continue is 422; PUT to a missing name is 404; a
// Content-Type kube would not negotiate is 415. Raw HTTPS, with a positive control for each.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, backend, startServer, type TestServer } from './lib';

const PROTO_KEYS = ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'];

/** A JSON object text with every Object.prototype-like key set (JSON.stringify drops `__proto__`). */
const protoKeysJSON = (inner = '1') => `{${PROTO_KEYS.map((k) => `"${k}":${inner}`).join(',')}}`;

function warnings(h: string | string[] | undefined): string {
  return Array.isArray(h) ? h.join('\n') : (h ?? '');
}

describe('request bodies (kube decoding)', { timeout: 120_000 }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer('sqlite');
  });
  after(async () => {
    await ts?.stop();
  });

  const postRaw = (q: string, raw: string, contentType = 'application/json') => ts.api.req('POST', `${BACKENDS}${q}`, { raw, contentType });
  const apply = (name: string, body: string) =>
    ts.api.req('PATCH', `${BACKENDS}/${name}?fieldManager=applier`, { raw: body, contentType: 'application/apply-patch+yaml' });

  it('Object.prototype-named keys are pruned with a warning, refused by Strict, never stored, never a 500 later', async () => {
    const body = (name: string) =>
      `{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"${name}","labels":{"constructor":"x"}},` +
      `"spec":{"endpoints":[${protoKeysJSON().slice(0, -1)},"ip":"10.0.0.1"}],"toString":{"a":1},"valueOf":2},"hasOwnProperty":3}`;
    const strict = await postRaw('?fieldValidation=Strict', body('proto-strict'));
    assert.equal(strict.status, 400, strict.text);
    for (const f of ['spec.endpoints[0].toString', 'spec.endpoints[0].constructor', 'spec.endpoints[0].__proto__', 'spec.toString', 'spec.valueOf', 'hasOwnProperty']) {
      assert.ok(strict.json.message.includes(`unknown field "${f}"`), `${f} in ${strict.json.message}`);
    }
    assert.equal((await ts.api.get(`${BACKENDS}/proto-strict`)).status, 404);

    const warn = await postRaw('', body('proto-warn'));
    assert.equal(warn.status, 201, warn.text);
    assert.match(warnings(warn.headers.warning), /unknown field \\?"spec\.toString\\?"/);
    assert.match(warnings(warn.headers.warning), /unknown field \\?"spec\.endpoints\[0\]\.__proto__\\?"/);
    const stored = await ts.api.get(`${BACKENDS}/proto-warn`);
    assert.equal(stored.status, 200);
    assert.deepEqual(Object.keys(stored.json.spec).sort(), ['endpoints'], stored.text);
    assert.deepEqual(Object.keys(stored.json.spec.endpoints[0]), ['ip'], stored.text);
    assert.equal(Object.hasOwn(stored.json, 'hasOwnProperty'), false);
    assert.equal(Object.hasOwn(stored.json.metadata.labels, 'constructor') && stored.json.metadata.labels.constructor, 'x', 'a label key is data, kept as is');

    // server-side apply onto it (and with such keys in the applied config) answers normally
    const cfg = `apiVersion: core.apoxy.dev/v1alpha2\nkind: Backend\nmetadata:\n  name: proto-warn\n  labels:\n    toString: y\nspec:\n  endpoints:\n  - ip: 10.0.0.1\n    valueOf: 1\n  constructor: {a: 1}\n`;
    const a = await apply('proto-warn', cfg);
    assert.equal(a.status, 200, a.text);
    assert.equal(Object.hasOwn(a.json.spec, 'constructor'), false);
    assert.equal(Object.hasOwn(a.json.spec.endpoints[0], 'valueOf'), false);
    assert.equal(Object.hasOwn(a.json.metadata.labels, 'toString') && a.json.metadata.labels.toString, 'y');
    const again = await apply('proto-warn', cfg);
    assert.equal(again.status, 200, again.text);
    const m = await ts.api.req('PATCH', `${BACKENDS}/proto-warn`, { raw: `{"spec":${protoKeysJSON('{"x":1}')}}`, contentType: 'application/merge-patch+json' });
    assert.equal(m.status, 200, m.text);
    assert.deepEqual(Object.keys(m.json.spec), ['endpoints']);
    const ok = await ts.api.patch(`${BACKENDS}/proto-warn`, 'merge', { spec: { protocol: 'tls' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.spec.protocol, 'tls');
  });

  it('a lone surrogate decodes to U+FFFD, as Go does (values and keys)', async () => {
    const raw = `{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"sur","annotations":{"note":"mut-\\ud800","pair":"\\ud83d\\ude00"}},"spec":{}}`;
    const c = await postRaw('', raw);
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.metadata.annotations.note, 'mut-\uFFFD');
    assert.equal(c.json.metadata.annotations.pair, '\u{1F600}', 'a valid pair is kept');
    const got = await ts.api.get(`${BACKENDS}/sur`);
    assert.equal(got.json.metadata.annotations.note, 'mut-\uFFFD');
    const key = await postRaw('', `{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"sur2","labels":{"a\\udc00":"b"}},"spec":{}}`);
    assert.equal(key.status, 422, key.text);
    assert.ok(key.json.message.includes('a\uFFFD'), key.json.message);
    assert.ok(!/[\uD800-\uDFFF]/.test(key.json.message.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')), 'no lone surrogate echoed');
  });

  it('duplicate JSON keys: Strict refuses (400 create, 422 patch), Warn warns, Ignore is silent', async () => {
    const dup = (name: string) => `{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"${name}","name":"${name}"},"spec":{"endpoints":[{"ip":"10.0.0.1","ip":"10.0.0.2"}]}}`;
    const strict = await postRaw('?fieldValidation=Strict', dup('dup'));
    assert.equal(strict.status, 400, strict.text);
    assert.equal(strict.json.reason, 'BadRequest');
    assert.equal(strict.json.message, 'Backend in version "v1alpha2" cannot be handled as a Backend: strict decoding error: duplicate field "metadata.name", duplicate field "spec.endpoints[0].ip"');
    const warn = await postRaw('?fieldValidation=Warn', dup('dup'));
    assert.equal(warn.status, 201, warn.text);
    assert.match(warnings(warn.headers.warning), /duplicate field \\?"metadata\.name\\?"/);
    assert.equal(warn.json.spec.endpoints[0].ip, '10.0.0.2', 'the last value wins, as in Go');
    const ignore = await postRaw('?fieldValidation=Ignore', dup('dup2'));
    assert.equal(ignore.status, 201, ignore.text);
    assert.equal(ignore.headers.warning, undefined);
    const put = await ts.api.req('PUT', `${BACKENDS}/dup?fieldValidation=Strict`, {
      raw: `{"apiVersion":"core.apoxy.dev/v1alpha2","kind":"Backend","metadata":{"name":"dup","resourceVersion":"${warn.json.metadata.resourceVersion}"},"spec":{},"spec":{}}`,
    });
    assert.equal(put.status, 400, put.text);
    assert.match(put.json.message, /strict decoding error: duplicate field "spec"/);
    const patch = await ts.api.req('PATCH', `${BACKENDS}/dup?fieldValidation=Strict`, { raw: '{"spec":{"protocol":"tls","protocol":"h2"}}', contentType: 'application/merge-patch+json' });
    assert.equal(patch.status, 422, patch.text);
    assert.match(patch.json.message, /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: duplicate field "spec\.protocol"$/s);
    const plain = await ts.api.req('PATCH', `${BACKENDS}/dup?fieldValidation=Strict`, { raw: '{"spec":{"protocol":"tls"}}', contentType: 'application/merge-patch+json' });
    assert.equal(plain.status, 200, plain.text);
  });

  it('resourceVersionMatch together with continue is 422 (ListOptions); continue alone pages', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await ts.api.create(BACKENDS, backend(n));
    const first = await ts.api.get(`${BACKENDS}?limit=1`);
    assert.equal(first.status, 200);
    const token = first.json.metadata.continue;
    assert.ok(token);
    const bad = await ts.api.get(`${BACKENDS}?limit=1&continue=${encodeURIComponent(token)}&resourceVersionMatch=NotOlderThan&resourceVersion=0`);
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.json.reason, 'Invalid');
    assert.equal(bad.json.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided');
    assert.deepEqual(bad.json.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided', field: 'resourceVersionMatch' }]);
    const next = await ts.api.get(`${BACKENDS}?limit=1&continue=${encodeURIComponent(token)}`);
    assert.equal(next.status, 200, next.text);
    assert.equal(next.json.items.length, 1);
  });

  it('PUT to a missing name is 404 even without a resourceVersion; an existing one without it is 422', async () => {
    const missing = await ts.api.put(`${BACKENDS}/nobody-here`, backend('nobody-here'));
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.json.reason, 'NotFound');
    assert.equal(missing.json.message, 'backends.core.apoxy.dev "nobody-here" not found');
    const cur = await ts.api.create(BACKENDS, backend('put-norv'));
    delete cur.metadata.resourceVersion;
    const norv = await ts.api.put(`${BACKENDS}/put-norv`, cur);
    assert.equal(norv.status, 422, norv.text);
    assert.equal(norv.json.details.causes[0].field, 'metadata.resourceVersion');
  });

  it('a Content-Type kube would not negotiate is 415 on POST and PUT; JSON with parameters is fine', async () => {
    const want = 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml';
    const body = JSON.stringify(backend('ctype'));
    for (const ct of ['application/json; garbage', 'garbage/', 'application/json/x', 'application/merge-patch+json', 'text/plain', 'application/json; a=1; a=2']) {
      const a = await postRaw('', body, ct);
      assert.equal(a.status, 415, `${ct}: ${a.text}`);
      assert.equal(a.json.reason, 'UnsupportedMediaType');
      assert.equal(a.json.message, want);
      const u = await ts.api.req('PUT', `${BACKENDS}/ctype`, { raw: body, contentType: ct });
      assert.equal(u.status, 415, `PUT ${ct}: ${u.text}`);
    }
    assert.equal((await ts.api.get(`${BACKENDS}/ctype`)).status, 404);
    const ok = await postRaw('', body, 'application/json; charset=utf-8');
    assert.equal(ok.status, 201, ok.text);
    const patch = await ts.api.req('PATCH', `${BACKENDS}/ctype`, { raw: '{}', contentType: 'application/x-garbage' });
    assert.equal(patch.status, 415, patch.text);
    assert.equal(patch.json.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });
});
