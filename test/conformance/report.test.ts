// The ConformanceReport builder (pure): Core vs Extended by features, provisional tests kept out of
// the counts, results and statistics as upstream spells them.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildReport, reportYAML, type ReportInput } from './report';
import { compareRoundTrip } from './http';

const input = (results: ReportInput['results']): ReportInput => ({
  date: '2026-12-08T00:00:00Z',
  version: 'v0.1.0',
  gatewayAPIVersion: 'v1.6.1',
  supportedFeatures: ['Gateway', 'HTTPRoute', 'ReferenceGrant', 'HTTPRouteMethodMatching'],
  profileExtendedFeatures: ['HTTPRouteCORS', 'HTTPRouteMethodMatching'],
  results,
});

it('counts Core and Extended apart, names skipped and failed tests, leaves provisional ones out', () => {
  const r = buildReport(
    input([
      { name: 'HTTPRouteMatching', features: ['Gateway', 'HTTPRoute'], outcome: { state: 'passed' } },
      { name: 'HTTPRouteReferenceGrant', features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'], outcome: { state: 'passed' } },
      { name: 'HTTPRouteMethodMatching', features: ['Gateway', 'HTTPRoute', 'HTTPRouteMethodMatching'], outcome: { state: 'failed', reason: 'x' } },
      { name: 'HTTPRouteCORS', features: ['Gateway', 'HTTPRoute', 'HTTPRouteCORS'], outcome: { state: 'skipped', reason: 'unsupported' } },
      { name: 'HTTPRoute303Redirect', features: ['Gateway', 'HTTPRoute', 'HTTPRoute303RedirectStatusCode'], provisional: true, outcome: { state: 'passed' } },
    ]),
  ) as { kind: string; apiVersion: string; profiles: Array<Record<string, Record<string, unknown>>>; succeededProvisionalTests: string[] };
  assert.equal(r.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.equal(r.kind, 'ConformanceReport');
  const p = r.profiles[0]!;
  assert.equal(p.name as unknown, 'GATEWAY-HTTP');
  assert.deepEqual(p.core, { result: 'success', statistics: { Passed: 2, Failed: 0, Skipped: 0 } });
  assert.deepEqual(p.extended, {
    result: 'partial',
    statistics: { Passed: 0, Failed: 1, Skipped: 1 },
    skippedTests: ['HTTPRouteCORS'],
    failedTests: ['HTTPRouteMethodMatching'],
    supportedFeatures: ['HTTPRouteMethodMatching'],
    unsupportedFeatures: ['HTTPRouteCORS'],
  });
  assert.deepEqual(r.succeededProvisionalTests, ['HTTPRoute303Redirect']);
});

it('a failed Core test makes the Core result a failure, and the YAML says why in a comment', () => {
  const i = input([{ name: 'HTTPRouteWeight', features: ['Gateway', 'HTTPRoute'], outcome: { state: 'failed', reason: 'distribution off' } }]);
  const y = reportYAML(i);
  assert.equal((parse(y) as { profiles: Array<{ core: { result: string } }> }).profiles[0]!.core.result, 'failure');
  assert.match(y, /# +FAILED +HTTPRouteWeight: distribution off/);
});

it('compareRoundTrip: pod prefix, namespace, headers as the echo saw them, redirect defaults', () => {
  const addr = { host: '127.0.0.1', port: 31000, declaredPort: 80 };
  const echo = { path: '/a', host: 'x', method: 'GET', proto: 'HTTP/1.1', headers: { 'X-A': ['1', '2'] }, httpPort: '1', namespace: 'ns', ingress: '', service: 'v1', pod: 'infra-backend-v1-abc' };
  const c = { status: 200, headers: {}, echo };
  assert.equal(compareRoundTrip(addr, 'http', { Request: { Path: '/a' }, ExpectedRequest: { Request: { Path: '/a', Headers: { 'x-a': '1,2' } } }, Backend: 'infra-backend-v1', Namespace: 'ns' }, c), undefined);
  assert.match(compareRoundTrip(addr, 'http', { Request: { Path: '/a' }, Backend: 'infra-backend-v2', Namespace: 'ns' }, c)!, /pod name/);
  assert.match(compareRoundTrip(addr, 'http', { Request: { Path: '/a' }, Backend: 'infra-backend-v1', Namespace: 'other' }, c)!, /namespace/);
  const redirect = (location: string) => ({ status: 302, headers: {}, location });
  const er = { Request: { Path: '/p', Host: 'h' }, RedirectRequest: { Host: 'example.org' }, Response: { StatusCode: 302 } };
  // no port expected: the default port, none, or the listener's own port standing for 80
  assert.equal(compareRoundTrip(addr, 'http', er, redirect('http://example.org/p')), undefined);
  assert.equal(compareRoundTrip(addr, 'http', er, redirect('http://example.org:31000/p')), undefined);
  assert.match(compareRoundTrip(addr, 'http', er, redirect('http://example.org:8080/p'))!, /port/);
  assert.match(compareRoundTrip(addr, 'http', er, redirect('https://example.org/p'))!, /scheme/);
});
