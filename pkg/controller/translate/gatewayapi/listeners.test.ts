import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerGatewayAPI, type LowerInput } from './lower';
import { listenerConflicts } from './conflicts';
import { isolateHostnames, isolatedListeners, lessSpecific } from './isolation';
import { resolveGatewayAddresses } from './addresses';
import { upstreamGatewayStatus } from './status';
import type { UGateway, UListener } from './types';

const CONTROLLER = 'gateway.apoxy.dev/gatewayclass-controller';
const NOW = '2026-01-01T00:00:00Z';
const l = (name: string, port: number, protocol = 'HTTP', hostname?: string): UListener => ({ name, port, protocol, ...(hostname ? { hostname } : {}), ...(protocol === 'HTTPS' ? { tls: { mode: 'Terminate', certificateRefs: [{ name: 'c' }] } } : {}) });
const gw = (name: string, listeners: UListener[], created = '2026-01-01T00:00:00Z'): UGateway => ({ metadata: { name, namespace: 'infra', generation: 4, creationTimestamp: created }, spec: { gatewayClassName: 'sy', listeners } });
const base = (over: Partial<LowerInput> = {}): LowerInput => ({
  gatewayClasses: [{ metadata: { name: 'sy' }, spec: { controllerName: CONTROLLER } }],
  gateways: [],
  routes: [],
  referenceGrants: [],
  services: [],
  endpointSlices: [],
  namespaces: [{ metadata: { name: 'infra' } }],
  ...over,
});
type Listeners = { listeners: Array<{ name: string; conditions: Array<{ type: string; status: string; reason: string; observedGeneration: number }> }> };

test('conflicts: HTTP and HTTPS on one port (ProtocolConflict), the same HTTPS hostname on one port across Gateways (HostnameConflict); the first wins', () => {
  const a = gw('a', [l('http', 80), l('https', 80, 'HTTPS'), l('tls', 443, 'HTTPS', 'a.example')]);
  const b = gw('b', [l('same-host', 443, 'HTTPS', 'a.example'), l('other-host', 443, 'HTTPS', 'b.example')], '2026-01-02T00:00:00Z');
  const c = listenerConflicts([b, a]);
  assert.deepEqual([...c.entries()].map(([k, v]) => [k, v.reason]), [['infra/a/https', 'ProtocolConflict'], ['infra/b/same-host', 'HostnameConflict']]);
  const out = lowerGatewayAPI(base({ gateways: [a, b] }));
  assert.deepEqual(out.gateways.map((g) => g.spec!.listeners.map((x) => x.name)), [['http', 'tls'], ['other-host']], 'conflicted listeners are not lowered');
  const st = upstreamGatewayStatus(a, out, '127.0.0.1', new Map(), NOW) as Listeners;
  const https = st.listeners.find((x) => x.name === 'https')!;
  assert.deepEqual(https.conditions.map((x) => [x.type, x.status, x.reason]), [['Accepted', 'False', 'ProtocolConflict'], ['Programmed', 'False', 'ProtocolConflict'], ['ResolvedRefs', 'True', 'ResolvedRefs'], ['Conflicted', 'True', 'ProtocolConflict']]);
  const http = st.listeners.find((x) => x.name === 'http')!;
  assert.deepEqual(http.conditions.find((x) => x.type === 'Conflicted'), { type: 'Conflicted', status: 'False', observedGeneration: 4, lastTransitionTime: NOW, reason: 'NoConflicts', message: 'no conflicts' });
});

test('listener isolation: hostnames a more specific sibling covers are dropped; listeners with a less specific sibling get a 404 catch-all', () => {
  const ls = [l('empty', 80), l('wild', 80, 'HTTP', '*.example.com'), l('wildfoo', 80, 'HTTP', '*.foo.example.com'), l('abc', 80, 'HTTP', 'abc.foo.example.com'), l('alone', 81, 'HTTP', 'x.example')];
  assert.equal(lessSpecific('', '*.example.com'), true);
  assert.equal(lessSpecific('*.example.com', '*.foo.example.com'), true);
  assert.equal(lessSpecific('*.foo.example.com', '*.example.com'), false);
  const all = ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'];
  assert.deepEqual(isolateHostnames(ls[0], ls, all), ['bar.com']);
  assert.deepEqual(isolateHostnames(ls[1], ls, ['*.example.com', '*.foo.example.com', 'abc.foo.example.com', 'x.example.com']), ['*.example.com', 'x.example.com']);
  assert.deepEqual(isolateHostnames(ls[3], ls, ['abc.foo.example.com']), ['abc.foo.example.com']);
  assert.equal(isolateHostnames(ls[0], ls, undefined), undefined);
  assert.deepEqual(isolatedListeners(ls).map((x) => x.name), ['wild', 'wildfoo', 'abc'], 'the port-81 listener has no sibling');
  const out = lowerGatewayAPI(
    base({
      gateways: [gw('iso', ls)],
      routes: [{ metadata: { name: 'r', namespace: 'infra' }, spec: { parentRefs: [{ name: 'iso', sectionName: 'empty' }], hostnames: ['*.example.com'] } }],
    }),
  );
  // attached and accepted, but nothing of its own to serve on the catch-all listener
  assert.equal(out.routeOutcomes.get('infra/r')!.parents[0].accepted, true);
  assert.equal(out.attached.get('infra/iso/empty'), 1);
  assert.deepEqual(out.routes.map((r) => [r.metadata.name, r.spec!.hostnames]), [
    ['notfound/infra/iso/wild', ['*.example.com']],
    ['notfound/infra/iso/wildfoo', ['*.foo.example.com']],
    ['notfound/infra/iso/abc', ['abc.foo.example.com']],
  ]);
});

test('spec.addresses: honoured when the proxy answers on them, AddressNotAssigned otherwise, UnsupportedAddress for other types; typed status addresses', () => {
  assert.deepEqual(resolveGatewayAddresses(undefined, '0.0.0.0', []), { addresses: [{ type: 'IPAddress', value: '127.0.0.1' }] });
  assert.deepEqual(resolveGatewayAddresses([{ type: 'IPAddress', value: '10.1.2.3' }], '0.0.0.0', ['127.0.0.1', '10.1.2.3']), { addresses: [{ type: 'IPAddress', value: '10.1.2.3' }] });
  assert.deepEqual(resolveGatewayAddresses([{ type: 'IPAddress' }], '127.0.0.1', []), { addresses: [{ type: 'IPAddress', value: '127.0.0.1' }] });
  assert.deepEqual(resolveGatewayAddresses([{ type: 'Hostname', value: 'proxy.local' }], 'proxy.local', []).addresses, [{ type: 'Hostname', value: 'proxy.local' }]);
  const off = resolveGatewayAddresses([{ type: 'IPAddress', value: '10.9.9.9' }], '127.0.0.1', ['10.9.9.9']);
  assert.match(off.notAssigned!, /10\.9\.9\.9/);
  assert.deepEqual(off.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
  const g = { ...gw('a', [l('http', 80)]), spec: { gatewayClassName: 'sy', listeners: [l('http', 80)], addresses: [{ type: 'example.com/custom', value: 'x' }] } } as UGateway;
  const out = lowerGatewayAPI(base({ gateways: [g] }));
  const st = upstreamGatewayStatus(g, out, '127.0.0.1', new Map(), NOW) as { conditions: Array<{ type: string; status: string; reason: string }> };
  assert.deepEqual(st.conditions.map((c) => [c.type, c.status, c.reason]), [['Accepted', 'False', 'UnsupportedAddress'], ['Programmed', 'True', 'Programmed']]);
  const g2 = { ...g, spec: { ...g.spec!, addresses: [{ type: 'IPAddress', value: '192.0.2.1' }] } } as UGateway;
  const st2 = upstreamGatewayStatus(g2, out, '127.0.0.1', new Map(), NOW) as { conditions: Array<{ type: string; status: string; reason: string }> };
  assert.deepEqual(st2.conditions.map((c) => [c.type, c.status, c.reason]), [['Accepted', 'True', 'Accepted'], ['Programmed', 'False', 'AddressNotAssigned']]);
});
