import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../apis/meta/v1/field';
import { validateListSetsAndMaps } from './listtype';
import type { JSONSchemaProps } from './types';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    status: {
      type: 'object',
      properties: {
        conditions: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], items: { type: 'object' } },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      },
    },
  },
};

describe('list-type uniqueness (apiextensions listtype validation)', () => {
  it('a repeated map key is one Duplicate at the repeat, printed as kube prints the key map', () => {
    const errs = validateListSetsAndMaps(schema, { status: { conditions: [{ type: 'Ready' }, { type: 'Synced' }, { type: 'Ready', status: 'False' }, { type: 'Ready' }] } });
    assert.equal(errs.length, 1);
    assert.equal(formatFieldError(errs[0]), 'status.conditions[2]: Duplicate value: map[string]interface {}{"type":"Ready"}');
  });

  it('sets: repeated elements; distinct lists and prototype-named keys are fine', () => {
    const errs = validateListSetsAndMaps(schema, { status: { tags: ['a', 'b', 'a'] } });
    assert.equal(formatFieldError(errs[0]), 'status.tags[2]: Duplicate value: "a"');
    assert.deepEqual(validateListSetsAndMaps(schema, { status: { conditions: [{ type: 'A' }, { type: 'B' }], tags: ['a'] } }), []);
    assert.deepEqual(validateListSetsAndMaps(schema, JSON.parse('{"toString":[1,1],"status":{"constructor":[1,1],"__proto__":[1,1]}}')), []);
  });

  it('a map list element that is not an object is Invalid', () => {
    const errs = validateListSetsAndMaps(schema, { status: { conditions: [{ type: 'A' }, 'x'] } });
    assert.equal(formatFieldError(errs[0]), 'status.conditions[1]: Invalid value: "x": must be an object for an array of list-type map');
  });
});
