import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bool, fieldValidation, int, str } from './query';

describe('query parameters', () => {
  it('a parameter given twice takes its first value, as kube (Convert_Slice_string_To_string)', () => {
    assert.equal(str({ limit: ['1', '2'] }, 'limit'), '1');
    assert.equal(int({ limit: ['1', '2'] }, 'limit'), 1);
    assert.equal(bool({ watch: ['1', '0'] }, 'watch'), true);
    assert.equal(fieldValidation({ fieldValidation: ['Strict', 'Ignore'] }), 'Strict');
    // positive controls: single values as given
    assert.equal(str({ limit: '7' }, 'limit'), '7');
    assert.equal(bool({ watch: 'False' }, 'watch'), false);
    assert.equal(str({}, 'limit'), undefined);
  });
});
