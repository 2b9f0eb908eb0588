import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields, duplicateFieldsOf, mayHoldSurrogateEscape, wellFormed, wellFormedValue } from './json_decode';
import { parseMediaType } from './body';

describe('JSON bodies decoded as Go decodes them', () => {
  it('lone surrogates become U+FFFD in strings and keys; pairs stay', () => {
    assert.equal(wellFormed('mut-\ud800'), 'mut-\uFFFD');
    assert.equal(wellFormed('\udc00x\ud83d\ude00'), '\uFFFDx\u{1F600}');
    const v = wellFormedValue(JSON.parse('{"a\\ud800":["\\udfff",{"k":"\\ud800\\ud800"}]}')) as Record<string, unknown>;
    assert.deepEqual(v, { 'a\uFFFD': ['\uFFFD', { k: '\uFFFD\uFFFD' }] });
  });

  it('duplicate keys with kube paths, in document order, strings and nesting respected', () => {
    assert.deepEqual(duplicateFields('{"metadata":{"name":"a","name":"b"},"spec":{"e":[{"ip":1,"ip":2},{"ip":3}]},"x":"{\\"x\\":1,","x":1}'), [
      'metadata.name',
      'spec.e[0].ip',
      'x',
    ]);
    assert.deepEqual(duplicateFields('{"a":[[{"b":1}],[{"b":1,"b":2}]]}'), ['a[1][0].b']);
    assert.deepEqual(duplicateFields('{"a":1,"b":{"a":1}}'), []);
    assert.deepEqual(duplicateFields('[{"op":"add","op":"remove"}]'), ['[0].op']);
    assert.deepEqual(duplicateFields('{"__proto__":1,"__proto__":2}'), ['__proto__']);
  });

  it('the counting shortcut finds the duplicates the full scan finds, and none where there are none', () => {
    for (const text of [
      '{"metadata":{"name":"a","name":"b"},"spec":{"e":[{"ip":1,"ip":2},{"ip":3}]},"x":"{\\"x\\":1,","x":1}',
      '{"a":[[{"b":1}],[{"b":1,"b":2}]]}',
      '{"a":1,"b":{"a":1}}',
      '[{"op":"add","op":"remove"}]',
      '{"__proto__":1,"__proto__":2}',
      '{"__proto__":{"x":1}}',
      '{ "k" : "v:" , "s" :\n"\\" :" , "o" : { } , "arr" : [ "a" , { "k" : 1 } ] }',
      '{"a\\ud800":1,"a\\udbff":2}', // two keys made equal by U+FFFD
      '{"apiVersion":"v1","kind":"Backend","metadata":{"name":"b","labels":{"app":"x"}},"spec":{"endpoints":[{"ip":"10.0.0.1","port":80}]}}',
    ]) {
      const parsed = mayHoldSurrogateEscape(text) ? wellFormedValue(JSON.parse(text)) : JSON.parse(text);
      assert.deepEqual(duplicateFieldsOf(text, parsed), duplicateFields(text), text);
    }
  });

  it('only a surrogate escape can leave a lone surrogate in a body decoded from bytes', () => {
    assert.equal(mayHoldSurrogateEscape('{"a":"\\uD800"}'), true);
    assert.equal(mayHoldSurrogateEscape('{"a":"\\udfff"}'), true);
    assert.equal(mayHoldSurrogateEscape('{"a":"\\u00e9 \u{1F600}"}'), false);
    assert.equal(mayHoldSurrogateEscape(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]).toString('utf8')), false, 'an encoded surrogate decodes to U+FFFD');
  });

  it('media types parse as Go\'s mime.ParseMediaType', () => {
    assert.equal(parseMediaType('application/json'), 'application/json');
    assert.equal(parseMediaType('Application/JSON; charset=utf-8'), 'application/json');
    assert.equal(parseMediaType('application/json;'), 'application/json');
    assert.equal(parseMediaType('application/json; charset="utf-8"'), 'application/json');
    for (const bad of ['application/json; garbage', 'application/', 'a/b/c', '; x=y', 'application/json; a=1; a=2', 'a b']) {
      assert.equal(parseMediaType(bad), undefined, bad);
    }
  });
});
