import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../meta/v1/types';
import { validateGatewayCEL, validateGatewayClassUpdateCEL } from './gateway_cel';

const gw = (spec: unknown) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'n' }, spec }) as unknown as KObject;
const messages = (spec: unknown) => validateGatewayCEL(gw(spec)).map((e) => `${e.field}: ${e.detail}`);
const l = (x: Record<string, unknown>) => ({ name: 'l', port: 80, protocol: 'HTTP', ...x });
const tls = { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] };

test('valid Gateways pass (positive controls)', () => {
  assert.deepEqual(messages({ gatewayClassName: 'c', listeners: [l({}), l({ name: 'b', hostname: 'a.example.com' }), l({ name: 'c', port: 443, protocol: 'HTTPS', tls })] }), []);
  assert.deepEqual(messages({ gatewayClassName: 'c', listeners: [l({ protocol: 'TLS', port: 8443, tls: { mode: 'Passthrough' } })] }), []);
});

test('listener rules with the CRD messages', () => {
  const cases: Array<[unknown[], string]> = [
    [[l({ tls })], "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"],
    [[l({ protocol: 'HTTPS', tls: { mode: 'Passthrough', certificateRefs: [{ name: 'x' }] } })], 'tls mode must be Terminate for protocol HTTPS'],
    [[l({ protocol: 'TLS' })], 'tls mode must be set for protocol TLS'],
    [[l({ protocol: 'TCP', hostname: 'a.example' })], "hostname must not be specified for protocols ['TCP', 'UDP']"],
    [[l({ port: 80 }), l({ port: 81 })], 'Listener name must be unique within the Gateway'],
    [[l({ name: 'a' }), l({ name: 'b' })], 'Combination of port, protocol and hostname must be unique for each listener'],
  ];
  for (const [listeners, msg] of cases) assert.deepEqual(messages({ gatewayClassName: 'c', listeners }), [`spec.listeners: ${msg}`], msg);
  assert.deepEqual(messages({ gatewayClassName: 'c', listeners: [l({ protocol: 'HTTPS', tls: { mode: 'Terminate' } })] }), ['spec.listeners[0].tls: certificateRefs or options must be specified when mode is Terminate']);
  // same port and protocol, different hostnames: allowed
  assert.deepEqual(messages({ gatewayClassName: 'c', listeners: [l({ name: 'a', hostname: 'a.example' }), l({ name: 'b', hostname: 'b.example' })] }), []);
});

test('addresses unique and well-formed; infrastructure label keys', () => {
  assert.deepEqual(messages({ gatewayClassName: 'c', listeners: [l({})], addresses: [{ type: 'IPAddress', value: '10.0.0.1' }, { type: 'IPAddress', value: '10.0.0.1' }] }), ['spec.addresses: IPAddress values must be unique']);
  assert.equal(messages({ gatewayClassName: 'c', listeners: [l({})], addresses: [{ type: 'Hostname', value: 'Bad_Host' }] })[0]?.startsWith('spec.addresses[0]: Hostname value must be empty or contain only valid characters'), true);
  assert.deepEqual(messages({ gatewayClassName: 'c', listeners: [l({})], infrastructure: { labels: { 'bad key!': 'x' } } }), [
    'spec.infrastructure.labels: Label keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.',
  ]);
});

test('GatewayClass controllerName is immutable', () => {
  const gc = (controllerName: string) => ({ metadata: { name: 'c' }, spec: { controllerName } }) as unknown as KObject;
  assert.deepEqual(validateGatewayClassUpdateCEL(gc('a.example/x'), gc('a.example/x')), []);
  assert.deepEqual(validateGatewayClassUpdateCEL(gc('a.example/y'), gc('a.example/x')).map((e) => `${e.field}: ${e.detail}`), ['spec.controllerName: Value is immutable']);
});
