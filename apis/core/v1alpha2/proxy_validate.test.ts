import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Proxy, ProxySpec } from './proxy_types';
import { proxyProvider, validateProxy, validateProxyUpdate } from './proxy_validate';

const proxy = (spec: unknown): Proxy => ({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Proxy', metadata: { name: 'p' }, spec: spec as ProxySpec });

test('valid Proxies, including Apoxy fields switchyard does not type', () => {
  for (const spec of [
    { provider: 'unmanaged' },
    { provider: 'unmanaged', monitoring: { tracing: { enabled: true } } },
    { provider: 'cloud', shutdown: { drainTimeout: '30s' } },
    { provider: 'kubernetes' },
    {},
    undefined,
  ]) {
    assert.deepEqual(validateProxy(proxy(spec)), [], JSON.stringify(spec));
  }
});

test('rejections carry kube field paths', () => {
  for (const provider of ['aws', '', 5, 'Unmanaged']) {
    assert.deepEqual(
      validateProxy(proxy({ provider })).map((e) => [e.type, e.field]),
      [['FieldValueNotSupported', 'spec.provider']],
      String(provider),
    );
  }
  assert.equal(validateProxyUpdate(proxy({ provider: 'x' }), proxy({ provider: 'cloud' })).length, 1);
  assert.equal(validateProxyUpdate(proxy({ provider: 'cloud' }), proxy({ provider: 'x' })).length, 0);
});

test('proxyProvider defaults to cloud, as Apoxy does', () => {
  assert.equal(proxyProvider(proxy({})), 'cloud');
  assert.equal(proxyProvider(proxy({ provider: 'unmanaged' })), 'unmanaged');
  assert.doesNotThrow(() => validateProxy(proxy('junk')));
});
