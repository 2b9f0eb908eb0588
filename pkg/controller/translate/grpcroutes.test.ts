import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GRPCRoute } from '../../../apis/gateway/v1/grpcroute_types';
import type { Backend } from '../../../apis/core/v1alpha2/backend_types';
import { grpcPathMatch, grpcRouteAsHTTPRoute, GRPC_CONTENT_TYPE_RE } from './grpcroutes';
import { translate } from './index';
import { compileRouter } from '../../proxy/router/compile';

test('method matches as path matches', () => {
  assert.deepEqual(grpcPathMatch({ service: 'helloworld.Greeter', method: 'SayHello' }), { type: 'Exact', value: '/helloworld.Greeter/SayHello' });
  assert.deepEqual(grpcPathMatch({ service: '.helloworld.Greeter' }), { type: 'PathPrefix', value: '/helloworld.Greeter' });
  assert.deepEqual(grpcPathMatch({ method: 'SayHello' }), { type: 'RegularExpression', value: '/[^/]+/SayHello' });
  assert.deepEqual(grpcPathMatch({ type: 'RegularExpression', service: 'hello.*' }), { type: 'RegularExpression', value: '/(?:hello.*)/(?:[^/]+)' });
  assert.deepEqual(grpcPathMatch(undefined), { type: 'PathPrefix', value: '/' });
  const ct = new RegExp(`^(?:${GRPC_CONTENT_TYPE_RE})$`);
  for (const ok of ['application/grpc', 'application/grpc+proto', 'application/grpc+json', 'application/grpc;charset=utf-8', 'Application/GRPC']) assert.ok(ct.test(ok), ok);
  for (const no of ['application/json', 'application/grpc-web', 'application/grpcx', 'text/plain']) assert.ok(!ct.test(no), no);
});

const NOW = '2026-01-01T00:00:00Z';
const g = (name: string, spec: GRPCRoute['spec']): GRPCRoute => ({ apiVersion: 'gateway.apoxy.dev/v1', kind: 'GRPCRoute', metadata: { name, creationTimestamp: NOW, generation: 1 }, spec });
const b = (name: string): Backend => ({ apiVersion: 'core.apoxy.dev/v1alpha2', kind: 'Backend', metadata: { name, creationTimestamp: NOW }, spec: { endpoints: [{ ip: '127.0.0.1', port: 50051 }], protocol: 'h2c' } });

test('translated and routed: POST + gRPC content type + path; a GET, a JSON POST or another service are not caught', () => {
  const out = translate({
    backends: [b('greeter'), b('any')],
    routes: [{ apiVersion: 'gateway.apoxy.dev/v1', kind: 'HTTPRoute', metadata: { name: 'g1', creationTimestamp: NOW }, spec: { hostnames: ['grpc.test'], rules: [{ backendRefs: [{ name: 'any' }] }] } }],
    grpcRoutes: [
      g('g1', {
        hostnames: ['grpc.test'],
        rules: [
          { matches: [{ method: { service: 'helloworld.Greeter', method: 'SayHello' }, headers: [{ name: 'x-tenant', value: 'a' }] }], backendRefs: [{ name: 'greeter' }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-via', value: 'grpcroute' }] } }] },
          { matches: [{ method: { service: 'helloworld.Other' } }], backendRefs: [{ name: 'missing' }] },
        ],
      }),
    ],
    gateways: [],
    gatewayClasses: [],
    proxyHost: '127.0.0.1',
    now: NOW,
  });
  const rules = out.snapshot.rules;
  assert.deepEqual(rules.map((r) => r.route).sort(), ['g1', 'grpc/g1', 'grpc/g1'], 'an HTTPRoute of the same name does not collide');
  const router = compileRouter(rules.map((r) => ({ ...r, listeners: ['p'] })), 'p');
  const req = (method: string, path: string, headers: Record<string, string>) => router.match({ host: 'grpc.test', path, query: '', method, header: (n) => headers[n] })?.rule;
  const grpc = { 'content-type': 'application/grpc', 'x-tenant': 'a' };
  const hit = req('POST', '/helloworld.Greeter/SayHello', grpc)!;
  assert.equal(hit.route, 'grpc/g1');
  assert.deepEqual(hit.backendRefs.map((r) => r.backend), ['greeter']);
  assert.deepEqual(hit.filters.map((f) => f.type), ['RequestHeaderModifier']);
  assert.equal(req('POST', '/helloworld.Greeter/SayHello', { 'content-type': 'application/grpc', 'x-tenant': 'b' })!.route, 'g1', 'header mismatch: the HTTPRoute catches it');
  assert.equal(req('GET', '/helloworld.Greeter/SayHello', grpc)!.route, 'g1');
  assert.equal(req('POST', '/helloworld.Greeter/SayHello', { 'content-type': 'application/json', 'x-tenant': 'a' })!.route, 'g1');
  assert.equal(req('POST', '/helloworld.Greeter/SayGoodbye', grpc)!.route, 'g1', 'another method of the service');
  assert.equal(req('POST', '/helloworld.Other/Anything', grpc)!.route, 'grpc/g1', 'service-only match');
  // status: parents[] with Accepted and ResolvedRefs (False: the missing backend)
  const st = out.statuses.grpcRoutes.get('g1') as { parents: Array<{ conditions: Array<{ type: string; status: string; reason: string; message: string }> }> };
  const conds = Object.fromEntries(st.parents[0]!.conditions.map((c) => [c.type, c]));
  assert.equal(conds.Accepted!.status, 'True');
  assert.equal(conds.ResolvedRefs!.status, 'False');
  assert.equal(conds.ResolvedRefs!.reason, 'BackendNotFound');
  assert.match(conds.ResolvedRefs!.message, /missing/);
  assert.equal((out.statuses.routes.get('g1') as { parents: Array<{ conditions: Array<{ type: string; status: string }> }> }).parents[0]!.conditions.find((c) => c.type === 'ResolvedRefs')!.status, 'True', "the HTTPRoute's own status is its own");
});

test('a route without matches catches every gRPC call, and only gRPC calls', () => {
  const h = grpcRouteAsHTTPRoute(g('all', { rules: [{ backendRefs: [{ name: 'b' }] }] }));
  assert.equal(h.metadata.name, 'grpc/all');
  assert.deepEqual(h.spec!.rules![0]!.matches, [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'RegularExpression', name: 'content-type', value: GRPC_CONTENT_TYPE_RE }], method: 'POST' }]);
});
