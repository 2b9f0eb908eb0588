import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeFieldValue, exactNameFromFieldSelector, parseFieldSelector, SelectorError, unescapeFieldValue } from './fields';

const supported = {
  'spec.nodeName': (o: { spec?: { nodeName?: string } }) => o.spec?.nodeName,
  'status.phase': (o: { status?: { phase?: string } }) => o.status?.phase,
};

test('parseFieldSelector parses, sorts and re-escapes like kube', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['metadata.name=foo', 'metadata.name=foo'],
    ['metadata.name==foo', 'metadata.name=foo'],
    ['metadata.name!=foo', 'metadata.name!=foo'],
    ['status.phase=Running,metadata.namespace=default', 'metadata.namespace=default,status.phase=Running'],
    ['metadata.name=a\\,b', 'metadata.name=a\\,b'],
    ['metadata.name=a\\=b\\\\c', 'metadata.name=a\\=b\\\\c'],
    ['metadata.name=', 'metadata.name='],
    [',metadata.name=x,', 'metadata.name=x'],
  ];
  for (const [input, want] of cases) {
    const sel = parseFieldSelector(input, supported);
    assert.equal(sel.toString(), want, input);
    assert.equal(sel.empty, want === '', input);
  }
  assert.deepEqual(parseFieldSelector('metadata.name=a\\,b').requirements, [
    { field: 'metadata.name', operator: '=', value: 'a,b' },
  ]);
});

test('parseFieldSelector rejects malformed and unsupported selectors', () => {
  const cases: Array<[string, string]> = [
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['metadata.name=x,bar', "invalid selector: 'metadata.name=x,bar'; can't understand 'bar'"],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: ='],
    ['metadata.name=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
    ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
    ['spec.foo=x', 'field label not supported: spec.foo'],
    ['spec.nodeName=x,spec.foo!=y', 'field label not supported: spec.foo'],
    ['metadata.name =x', 'field label not supported: metadata.name '],
    ['status.phase=Running', 'field label not supported: status.phase'],
  ];
  for (const [input, want] of cases) {
    const sup = input === 'status.phase=Running' ? {} : supported;
    assert.throws(
      () => parseFieldSelector(input, sup),
      (e: unknown) => e instanceof SelectorError && e.message === want,
      input,
    );
  }
});

test('field selectors match', () => {
  const pod = { metadata: { name: 'web-1', namespace: 'default' }, spec: { nodeName: 'n1' }, status: {} };
  const cluster = { metadata: { name: 'c' } };
  const cases: Array<[string, object, boolean]> = [
    ['', pod, true],
    ['metadata.name=web-1', pod, true],
    ['metadata.name==web-1', pod, true],
    ['metadata.name=web-2', pod, false],
    ['metadata.name!=web-2', pod, true],
    ['metadata.namespace=default,spec.nodeName=n1', pod, true],
    ['metadata.namespace=default,spec.nodeName=n2', pod, false],
    ['status.phase=', pod, true], // absent reads as ""
    ['status.phase!=Running', pod, true],
    ['metadata.namespace=', cluster, true],
    ['metadata.namespace!=', cluster, false],
  ];
  for (const [sel, obj, want] of cases) assert.equal(parseFieldSelector(sel, supported).matches(obj), want, sel);
});

test('exactNameFromFieldSelector', () => {
  const cases: Array<[string, string | undefined]> = [
    ['metadata.name=x', 'x'],
    ['metadata.name==x', 'x'],
    ['metadata.namespace=ns,metadata.name=x', 'x'],
    ['metadata.name!=x', undefined],
    ['metadata.namespace=ns', undefined],
    ['', undefined],
  ];
  for (const [s, want] of cases) assert.equal(exactNameFromFieldSelector(parseFieldSelector(s)), want, s);
  assert.equal(exactNameFromFieldSelector(undefined), undefined);
  assert.equal(exactNameFromFieldSelector('spec.anything=y,metadata.name=a\\,b'), 'a,b');
  assert.equal(exactNameFromFieldSelector('metadata.name'), undefined);
  assert.equal(exactNameFromFieldSelector(''), undefined);
});

test('escape/unescape round trip', () => {
  for (const v of ['', 'plain', 'a,b', 'a=b', 'a\\b', '\\,=\\', 'ünï,cøde']) {
    assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
    const sel = parseFieldSelector(`metadata.name=${escapeFieldValue(v)}`);
    assert.equal(sel.requiresExactMatch('metadata.name'), v);
    assert.equal(parseFieldSelector(sel.toString()).toString(), sel.toString());
  }
});

test('fuzz: parseFieldSelector only ever throws SelectorError', () => {
  const atoms = ['a', 'metadata.name', 'spec.nodeName', '=', '!', ',', '(', ')', ' in ', ' notin ', ' ', '\\', '==', '!='];
  let seed = 987654;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const len = rnd(10);
    for (let j = 0; j < len; j++) s += atoms[rnd(atoms.length)];
    try {
      const sel = parseFieldSelector(s, supported);
      ok++;
      assert.equal(parseFieldSelector(sel.toString(), supported).toString(), sel.toString(), s);
      sel.matches({ metadata: { name: 'a' } });
    } catch (e) {
      if (!(e instanceof SelectorError)) assert.fail(`${JSON.stringify(s)} threw ${String(e)}`);
      failed++;
    }
  }
  assert.ok(ok > 50 && failed > 100, `ok=${ok} failed=${failed}`);
});
