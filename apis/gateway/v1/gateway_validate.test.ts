import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway, GatewaySpec } from './gateway_types';
import { validateGateway, validateGatewayUpdate } from './gateway_validate';

const gw = (spec: unknown): Gateway => ({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: spec as GatewaySpec });
const summary = (spec: unknown) => validateGateway(gw(spec)).map((e) => [e.type, e.field]);
const listener = (l: Record<string, unknown>) => ({ name: 'l', port: 80, protocol: 'HTTP', ...l });

test('valid Gateways', () => {
  const good: Array<[string, unknown]> = [
    [
      "Apoxy's example",
      {
        gatewayClassName: 'apoxy',
        infrastructure: { parametersRef: { kind: 'Proxy', name: 'example' } },
        listeners: [{ protocol: 'HTTP', port: 10000, name: 'example' }],
      },
    ],
    ['TCP listener', { gatewayClassName: 'apoxy', listeners: [{ protocol: 'TCP', port: 10000, name: 'example-listener' }] }],
    [
      'several listeners',
      {
        gatewayClassName: 'apoxy',
        listeners: [
          listener({ name: 'a', hostname: '*.example.com' }),
          listener({ name: 'b', hostname: 'example.com' }),
          listener({ name: 'c', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate' } }),
          listener({ name: 'd', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough' } }),
        ],
        addresses: [{ value: '127.0.0.1' }],
      },
    ],
  ];
  for (const [name, spec] of good) assert.deepEqual(validateGateway(gw(spec)), [], name);
});

test('rejections carry kube field paths', () => {
  const bad: Array<[string, unknown, Array<[string, string]>]> = [
    ['no spec', undefined, [['FieldValueRequired', 'spec']]],
    [
      'missing class and listeners',
      {},
      [
        ['FieldValueRequired', 'spec.gatewayClassName'],
        ['FieldValueRequired', 'spec.listeners'],
      ],
    ],
    ['empty listeners', { gatewayClassName: 'a', listeners: [] }, [['FieldValueRequired', 'spec.listeners']]],
    [
      'duplicate listener names',
      { gatewayClassName: 'a', listeners: [listener({ name: 'x' }), listener({ name: 'x', port: 81 })] },
      [['FieldValueDuplicate', 'spec.listeners[1].name']],
    ],
    ['port range', { gatewayClassName: 'a', listeners: [listener({ port: 0 })] }, [['FieldValueInvalid', 'spec.listeners[0].port']]],
    ['protocol enum', { gatewayClassName: 'a', listeners: [listener({ protocol: 'QUIC' })] }, [['FieldValueNotSupported', 'spec.listeners[0].protocol']]],
    [
      'missing listener fields',
      { gatewayClassName: 'a', listeners: [{}] },
      [
        ['FieldValueRequired', 'spec.listeners[0].name'],
        ['FieldValueRequired', 'spec.listeners[0].port'],
        ['FieldValueRequired', 'spec.listeners[0].protocol'],
      ],
    ],
    ['bad listener name', { gatewayClassName: 'a', listeners: [listener({ name: 'Bad_Name' })] }, [['FieldValueInvalid', 'spec.listeners[0].name']]],
    ['hostname on TCP', { gatewayClassName: 'a', listeners: [listener({ protocol: 'TCP', hostname: 'a.com' })] }, [['FieldValueForbidden', 'spec.listeners[0].hostname']]],
    ['tls on HTTP', { gatewayClassName: 'a', listeners: [listener({ tls: {} })] }, [['FieldValueForbidden', 'spec.listeners[0].tls']]],
    ['HTTPS without tls', { gatewayClassName: 'a', listeners: [listener({ protocol: 'HTTPS', port: 443 })] }, [['FieldValueRequired', 'spec.listeners[0].tls']]],
    [
      'same port, protocol and hostname twice',
      { gatewayClassName: 'a', listeners: [listener({ name: 'a' }), listener({ name: 'b' })] },
      [['FieldValueDuplicate', 'spec.listeners[1]']],
    ],
    [
      'parametersRef without kind',
      { gatewayClassName: 'a', listeners: [listener({})], infrastructure: { parametersRef: { name: 'p' } } },
      [['FieldValueRequired', 'spec.infrastructure.parametersRef.kind']],
    ],
    ['address without value', { gatewayClassName: 'a', listeners: [listener({})], addresses: [{ type: 'IPAddress' }] }, [['FieldValueRequired', 'spec.addresses[0].value']]],
  ];
  for (const [name, spec, want] of bad) assert.deepEqual(summary(spec), want, name);
});

test('never throws on garbage; update validates the new object', () => {
  for (const spec of [null, 5, 'x', { listeners: 'x' }, { listeners: [null, 5] }, { infrastructure: 5 }]) {
    assert.doesNotThrow(() => validateGateway(gw(spec)));
  }
  const good = gw({ gatewayClassName: 'a', listeners: [listener({})] });
  const bad = gw({ gatewayClassName: 'a', listeners: [listener({ port: -1 })] });
  assert.equal(validateGatewayUpdate(bad, good).length, 1);
  assert.equal(validateGatewayUpdate(good, bad).length, 0);
});
