import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLER_NAME, GatewayClass, GatewayClassSpec } from './gatewayclass_types';
import { validateGatewayClass, validateGatewayClassUpdate } from './gatewayclass_validate';

const gc = (spec: unknown): GatewayClass => ({
  apiVersion: 'gateway.apoxy.dev/v1',
  kind: 'GatewayClass',
  metadata: { name: 'apoxy' },
  spec: spec as GatewayClassSpec,
});
const summary = (spec: unknown) => validateGatewayClass(gc(spec)).map((e) => [e.type, e.field]);

test('valid GatewayClasses', () => {
  for (const spec of [
    { controllerName: CONTROLLER_NAME },
    { controllerName: 'example.net/gateway-controller', description: 'short' },
    { controllerName: 'a.b/c/d', parametersRef: { group: 'core.apoxy.dev', kind: 'Proxy', name: 'example' } },
    { controllerName: 'a.b/c', parametersRef: { group: '', kind: 'ConfigMap', name: 'cm', namespace: 'default' } },
  ]) {
    assert.deepEqual(validateGatewayClass(gc(spec)), [], JSON.stringify(spec));
  }
});

test('rejections carry kube field paths', () => {
  const bad: Array<[string, unknown, Array<[string, string]>]> = [
    ['no spec', undefined, [['FieldValueRequired', 'spec']]],
    ['no controllerName', {}, [['FieldValueRequired', 'spec.controllerName']]],
    ['controllerName without a domain', { controllerName: 'controller' }, [['FieldValueInvalid', 'spec.controllerName']]],
    ['controllerName with a bad domain', { controllerName: 'Apoxy_Dev/x' }, [['FieldValueInvalid', 'spec.controllerName']]],
    ['controllerName with an empty path', { controllerName: 'apoxy.dev/' }, [['FieldValueInvalid', 'spec.controllerName']]],
    ['long description', { controllerName: CONTROLLER_NAME, description: 'x'.repeat(65) }, [['FieldValueInvalid', 'spec.description']]],
    [
      'parametersRef missing parts',
      { controllerName: CONTROLLER_NAME, parametersRef: { name: 'p' } },
      [
        ['FieldValueRequired', 'spec.parametersRef.kind'],
        ['FieldValueRequired', 'spec.parametersRef.group'],
      ],
    ],
  ];
  for (const [name, spec, want] of bad) assert.deepEqual(summary(spec), want, name);
});

test('controllerName is immutable; update validates the new object', () => {
  const a = gc({ controllerName: CONTROLLER_NAME });
  const b = gc({ controllerName: 'other.dev/controller' });
  assert.deepEqual(
    validateGatewayClassUpdate(b, a).map((e) => [e.type, e.field]),
    [['FieldValueForbidden', 'spec.controllerName']],
  );
  assert.deepEqual(validateGatewayClassUpdate(a, a), []);
  assert.equal(validateGatewayClassUpdate(gc({ controllerName: 'bad' }), gc({ controllerName: 'bad' })).length, 1);
  for (const spec of [null, 5, 'x', { controllerName: 5 }, { parametersRef: 'x' }]) {
    assert.doesNotThrow(() => validateGatewayClass(gc(spec)));
  }
});
