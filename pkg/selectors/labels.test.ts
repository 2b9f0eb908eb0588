import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  labelSelectorFromMeta,
  labelSelectorFromSet,
  newLabelRequirement,
  nothingLabelSelector,
  parseLabelSelector,
  SelectorError,
} from './labels';

test('parseLabelSelector accepts kube syntax and prints the canonical form', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['   ', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['z=c,x=a', 'x=a,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x==a', 'x==a'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['! x', '!x'],
    ['x', 'x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x in (),z notin ()', 'x in (),z notin ()'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['x in (b,a,b)', 'x in (a,b)'],
    ['x in (,)', 'x in ()'],
    ['x in (a,)', 'x in (,a)'],
    ['x notin (in)', 'x notin (in)'],
    ['in in (notin)', 'in in (notin)'],
    [' env in ( prod , dev ) , tier notin (frontend) ', 'env in (dev,prod),tier notin (frontend)'],
    ['example.com/app=web', 'example.com/app=web'],
    ['app.kubernetes.io/name=x_y.z-1', 'app.kubernetes.io/name=x_y.z-1'],
    ['\tapp\n=\rweb\t', 'app=web'],
  ];
  for (const [input, want] of cases) {
    const sel = parseLabelSelector(input);
    assert.equal(sel.toString(), want, JSON.stringify(input));
    assert.equal(sel.empty, want === '', JSON.stringify(input));
  }
});

test('parseLabelSelector rejects malformed selectors with kube messages', () => {
  const cases: Array<[string, string | RegExp]> = [
    ['x=a||y=b', 'unable to parse requirement: values[0][x]: Invalid value: "a||y": a valid label must be an empty string'],
    ['x>-1', /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "-1": a valid label must be/],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', /^unable to parse requirement: values\[0\]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer$/],
    ['x>', /^unable to parse requirement: values\[0\]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer$/],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x foo', "unable to parse requirement: found 'foo', expected: '=', '!=', '==', 'in', notin'"],
    ['x,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!(', "unable to parse requirement: found '(', expected: identifier"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['x=(a)', "unable to parse requirement: found '(', expected: identifier"],
    ['a/b/c=x', /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist of/],
    ['Bad_/x', /prefix part a lowercase RFC 1123 subdomain/],
    ['x=' + 'v'.repeat(64), /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "v+": must be no more than 63 characters$/],
    ['x=-a', /values\[0\]\[x\]: Invalid value: "-a": a valid label must be an empty string/],
    ['k'.repeat(64), /name part must be no more than 63 characters/],
  ];
  for (const [input, want] of cases) {
    assert.throws(
      () => parseLabelSelector(input),
      (e: unknown) => {
        assert.ok(e instanceof SelectorError, `${input}: not a SelectorError: ${String(e)}`);
        if (typeof want === 'string') assert.ok(e.message.startsWith(want), `${input}: got ${e.message}`);
        else assert.match(e.message, want, input);
        return true;
      },
      input,
    );
  }
});

test('label selectors match like kube', () => {
  const labels = { app: 'web', tier: 'frontend', n: '10', neg: '-3', big: '9223372036854775808', empty: '' };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['missing=', false],
    ['empty=', true],
    ['empty', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app in (db,web)', true],
    ['app in (db)', false],
    ['missing in (x)', false],
    ['app notin (db)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['n>9', true],
    ['n>10', false],
    ['n<11', true],
    ['n<10', false],
    ['neg<0', true],
    ['app>1', false], // non-integer label value never matches gt/lt
    ['big>1', false], // out of int64 range
    ['missing<5', false],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['app=web,!canary,tier in (frontend)', true],
  ];
  for (const [sel, want] of cases) {
    assert.equal(parseLabelSelector(sel).matches(labels), want, sel);
  }
  assert.equal(parseLabelSelector('!a').matches(undefined), true);
  assert.equal(parseLabelSelector('a notin (x)').matches(undefined), true);
  assert.equal(parseLabelSelector('a').matches(undefined), false);
  assert.equal(parseLabelSelector('').matches(undefined), true);
  // prototype keys are not labels
  assert.equal(parseLabelSelector('constructor').matches({}), false);
});

test('requiresExactMatch', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['app=web', 'app', 'web'],
    ['app==web', 'app', 'web'],
    ['app in (web)', 'app', 'web'],
    ['app in (web,db)', 'app', undefined],
    ['app!=web', 'app', undefined],
    ['x=1', 'app', undefined],
  ];
  for (const [sel, key, want] of cases) assert.equal(parseLabelSelector(sel).requiresExactMatch(key), want, sel);
});

test('labelSelectorFromMeta follows metav1.LabelSelectorAsSelector', () => {
  assert.equal(labelSelectorFromMeta(undefined).matches({ a: 'b' }), false, 'nil selects nothing');
  assert.equal(labelSelectorFromMeta(undefined).empty, false);
  assert.equal(labelSelectorFromMeta({}).matches({ a: 'b' }), true, '{} selects everything');
  assert.equal(labelSelectorFromMeta({}).empty, true);
  const sel = labelSelectorFromMeta({
    matchLabels: { 'kubernetes.io/metadata.name': 'default', app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'team', operator: 'Exists' },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
    ],
  });
  assert.equal(sel.toString(), 'app=web,!canary,env notin (prod),kubernetes.io/metadata.name=default,team,tier in (a,b)');
  assert.equal(sel.matches({ 'kubernetes.io/metadata.name': 'default', app: 'web', tier: 'a', team: 'x' }), true);
  assert.equal(sel.matches({ 'kubernetes.io/metadata.name': 'default', app: 'web', tier: 'a' }), false);
  assert.equal(sel.matches({ 'kubernetes.io/metadata.name': 'default', app: 'web', tier: 'a', team: 'x', env: 'prod' }), false);

  const bad: Array<[unknown, RegExp]> = [
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, /^"Gt" is not a valid label selector operator$/],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, /^values: Invalid value: \[\]string\{\}: for 'in', 'notin' operators, values set can't be empty$/],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, /values set must be empty for exists and does not exist/],
    [{ matchLabels: { 'a b': 'x' } }, /^key: Invalid value: "a b": name part must consist/],
    [{ matchLabels: { a: 'x y' } }, /^values\[0\]\[a\]: Invalid value: "x y"/],
  ];
  for (const [input, re] of bad) {
    assert.throws(() => labelSelectorFromMeta(input as never), (e: unknown) => e instanceof SelectorError && re.test(e.message));
  }
});

test('newLabelRequirement aggregates several errors like kube', () => {
  assert.throws(
    () => newLabelRequirement('a b', 'in', []),
    (e: unknown) =>
      e instanceof SelectorError &&
      e.message.startsWith('[key: Invalid value: "a b": ') &&
      e.message.endsWith("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty]"),
  );
});

test('labelSelectorFromSet and nothing', () => {
  assert.equal(labelSelectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
  assert.equal(labelSelectorFromSet(undefined).empty, true);
  assert.equal(nothingLabelSelector().matches({}), false);
  assert.equal(nothingLabelSelector().toString(), '');
});

test('fuzz: parseLabelSelector only ever throws SelectorError', () => {
  // the brief's alphabet (a-z = ! , ( ) in notin space \\) plus a few more kube-relevant characters
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const symbols = ['=', '!', ',', '(', ')', ' in ', ' notin ', ' ', '\\', 'in', 'notin', '==', '!=', '>', '<', '1', '-', '/', '.', '\t'];
  const atoms = [...letters, ...symbols, ...symbols];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const len = rnd(12);
    for (let j = 0; j < len; j++) s += atoms[rnd(atoms.length)];
    try {
      const sel = parseLabelSelector(s);
      ok++;
      // a parsed selector prints to something that parses to the same thing
      assert.equal(parseLabelSelector(sel.toString()).toString(), sel.toString(), s);
      sel.matches({ a: '1', b: 'in' });
    } catch (e) {
      if (!(e instanceof SelectorError)) assert.fail(`${JSON.stringify(s)} threw ${String(e)}`);
      failed++;
    }
  }
  assert.ok(ok > 100 && failed > 100, `ok=${ok} failed=${failed}`);
});
