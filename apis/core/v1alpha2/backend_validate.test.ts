import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, BackendSpec } from './backend_types';
import {
  backendDnsCacheConfigWithDefaults,
  backendWarnings,
  normalizeBackend,
  validateBackend,
  validateBackendName,
  validateBackendUpdate,
} from './backend_validate';

const backend = (spec: unknown, name = 'b'): Backend => ({
  apiVersion: 'core.apoxy.dev/v1alpha2',
  kind: 'Backend',
  metadata: { name },
  spec: spec as BackendSpec,
});

/** [type, field] of each error, the part tests pin down. */
const summary = (b: Backend) => validateBackend(b).map((e) => [e.type, e.field]);

test('valid Backends', () => {
  const good: Array<[string, unknown]> = [
    ['Apoxy example without protocol', { endpoints: [{ fqdn: 'example-service.example-cluster.tun.apoxy.net' }] }],
    ['protocol tls', { endpoints: [{ fqdn: 'next-debug-apoxy.vercel.app' }], protocol: 'tls' }],
    ['empty protocol', { endpoints: [{ ip: '127.0.0.1' }], protocol: '' }],
    ['h2c', { endpoints: [{ ip: '::1' }], protocol: 'h2c' }],
    ['ipv6', { endpoints: [{ ip: '2001:db8::1' }] }],
    ['single-label fqdn', { endpoints: [{ fqdn: 'user-service' }] }],
    ['trailing dot', { endpoints: [{ fqdn: 'example.com.' }] }],
    ['empty endpoints', { endpoints: [] }],
    ['no endpoints at all', {}],
    ['dynamicProxy, no endpoints', { dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'v4_only' } } }],
    ['dynamicProxy, empty config', { dynamicProxy: {} }],
    ['dynamicProxy, one endpoint', { endpoints: [{ fqdn: 'a.b' }], dynamicProxy: { dnsCacheConfig: {} } }],
    [
      'dynamicProxy, every field',
      {
        dynamicProxy: {
          dnsCacheConfig: {
            dnsLookupFamily: 'all',
            dnsRefreshRate: '1ms',
            dnsMinRefreshRate: '1s',
            dnsQueryTimeout: '500ms',
            hostTTL: '1h',
            maxHosts: 1,
          },
        },
      },
    ],
    [
      'every extension',
      {
        endpoints: [
          { ip: '10.0.0.1', port: 8080, weight: 0 },
          { fqdn: 'a.example.com', port: 65535, weight: 100 },
        ],
        loadBalancer: { algorithm: 'consistent-hash', hashOn: 'header', hashKey: 'x-user', slots: 10000 },
        healthCheck: {
          active: { path: '/healthz', interval: '5s', timeout: '1s', healthyThreshold: 2, unhealthyThreshold: 3 },
          passive: { consecutiveFailures: 5, ejectionTime: '30s' },
        },
        circuitBreaker: { maxConnections: 100, softLimit: 100, consecutiveFailures: 5, openDuration: '30s' },
      },
    ],
  ];
  for (const [name, spec] of good) assert.deepEqual(validateBackend(backend(spec)), [], name);
});

test('Apoxy-style Backend named dynamic_forward_proxy is accepted with a warning', () => {
  const b = backend({ dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'v4_only' } } }, 'dynamic_forward_proxy');
  assert.deepEqual(validateBackend(b), []);
  const name = validateBackendName('dynamic_forward_proxy');
  assert.deepEqual(name.errors, []);
  assert.match(name.warning ?? '', /not a valid DNS-1123 subdomain.*will not install into a Kubernetes cluster/);
});

test('protocol "H2" is lowercased, then valid', () => {
  const b = normalizeBackend(backend({ endpoints: [{ fqdn: 'a.com' }], protocol: 'H2' }));
  assert.equal(b.spec?.protocol, 'h2');
  assert.deepEqual(validateBackend(b), []);
  // normalize tolerates odd shapes
  assert.doesNotThrow(() => normalizeBackend({ metadata: {} } as Backend));
  assert.doesNotThrow(() => normalizeBackend(backend('nope')));
});

test('rejections carry kube field paths', () => {
  const bad: Array<[string, unknown, Array<[string, string]>]> = [
    ['unknown protocol', { protocol: 'http3' }, [['FieldValueNotSupported', 'spec.protocol']]],
    ['unnormalized protocol', { protocol: 'TLS' }, [['FieldValueNotSupported', 'spec.protocol']]],
    ['bad ip', { endpoints: [{ fqdn: 'ok.com' }, { ip: '300.1.1.1' }] }, [['FieldValueInvalid', 'spec.endpoints[1].ip']]],
    ['ip with zone', { endpoints: [{ ip: 'fe80::1%eth0' }] }, [['FieldValueInvalid', 'spec.endpoints[0].ip']]],
    ['bad fqdn', { endpoints: [{ fqdn: 'Bad_Host' }] }, [['FieldValueInvalid', 'spec.endpoints[0].fqdn']]],
    ['fqdn too long', { endpoints: [{ fqdn: `${'a'.repeat(63)}.`.repeat(4) + 'com' }] }, [['FieldValueInvalid', 'spec.endpoints[0].fqdn']]],
    ['neither fqdn nor ip', { endpoints: [{ port: 80 }] }, [['FieldValueRequired', 'spec.endpoints[0]']]],
    ['both fqdn and ip', { endpoints: [{ fqdn: 'a.com', ip: '1.2.3.4' }] }, [['FieldValueForbidden', 'spec.endpoints[0].ip']]],
    ['port 0', { endpoints: [{ ip: '1.2.3.4', port: 0 }] }, [['FieldValueInvalid', 'spec.endpoints[0].port']]],
    ['port 65536', { endpoints: [{ ip: '1.2.3.4', port: 65536 }] }, [['FieldValueInvalid', 'spec.endpoints[0].port']]],
    ['negative weight', { endpoints: [{ ip: '1.2.3.4', weight: -1 }] }, [['FieldValueInvalid', 'spec.endpoints[0].weight']]],
    [
      'dynamicProxy with two endpoints',
      { endpoints: [{ fqdn: 'a.com' }, { fqdn: 'b.com' }], dynamicProxy: {} },
      [['FieldValueInvalid', 'spec.endpoints']],
    ],
    [
      'unknown lookup family',
      { dynamicProxy: { dnsCacheConfig: { dnsLookupFamily: 'v5_only' } } },
      [['FieldValueNotSupported', 'spec.dynamicProxy.dnsCacheConfig.dnsLookupFamily']],
    ],
    [
      'durations below their minimums',
      {
        dynamicProxy: {
          dnsCacheConfig: { dnsRefreshRate: '500us', dnsMinRefreshRate: '999ms', dnsQueryTimeout: '0s', hostTTL: '0s', maxHosts: 0 },
        },
      },
      [
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.dnsRefreshRate'],
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.dnsMinRefreshRate'],
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.dnsQueryTimeout'],
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.hostTTL'],
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.maxHosts'],
      ],
    ],
    [
      'unparsable durations',
      { dynamicProxy: { dnsCacheConfig: { dnsRefreshRate: '60', hostTTL: 'five minutes', dnsQueryTimeout: 5 } } },
      [
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.dnsRefreshRate'],
        ['FieldValueTypeInvalid', 'spec.dynamicProxy.dnsCacheConfig.dnsQueryTimeout'],
        ['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.hostTTL'],
      ],
    ],
    [
      'negative duration',
      { dynamicProxy: { dnsCacheConfig: { dnsRefreshRate: '-1s' } } },
      [['FieldValueInvalid', 'spec.dynamicProxy.dnsCacheConfig.dnsRefreshRate']],
    ],
    [
      'loadBalancer enums',
      { loadBalancer: { algorithm: 'fastest', hashOn: 'moon', slots: 0 } },
      [
        ['FieldValueNotSupported', 'spec.loadBalancer.algorithm'],
        ['FieldValueNotSupported', 'spec.loadBalancer.hashOn'],
        ['FieldValueInvalid', 'spec.loadBalancer.slots'],
      ],
    ],
    ['hashOn header without hashKey', { loadBalancer: { hashOn: 'header' } }, [['FieldValueRequired', 'spec.loadBalancer.hashKey']]],
    [
      'health check values',
      { healthCheck: { active: { path: 'healthz', interval: '0s', healthyThreshold: 0 }, passive: { ejectionTime: 'x' } } },
      [
        ['FieldValueInvalid', 'spec.healthCheck.active.path'],
        ['FieldValueInvalid', 'spec.healthCheck.active.interval'],
        ['FieldValueInvalid', 'spec.healthCheck.active.healthyThreshold'],
        ['FieldValueInvalid', 'spec.healthCheck.passive.ejectionTime'],
      ],
    ],
    [
      'softLimit above maxConnections',
      { circuitBreaker: { maxConnections: 10, softLimit: 11 } },
      [['FieldValueInvalid', 'spec.circuitBreaker.softLimit']],
    ],
    [
      'every error is collected, not just the first',
      { endpoints: [{ ip: 'x' }, { fqdn: '-' }, {}], protocol: 'quic' },
      [
        ['FieldValueInvalid', 'spec.endpoints[0].ip'],
        ['FieldValueInvalid', 'spec.endpoints[1].fqdn'],
        ['FieldValueRequired', 'spec.endpoints[2]'],
        ['FieldValueNotSupported', 'spec.protocol'],
      ],
    ],
  ];
  for (const [name, spec, want] of bad) assert.deepEqual(summary(backend(spec)), want, name);
});

test('validateBackend never throws on garbage', () => {
  for (const spec of [null, 'x', 5, [], { endpoints: 'x' }, { endpoints: [null, 5, 'a'] }, { dynamicProxy: 'x' }, { loadBalancer: [] }]) {
    assert.doesNotThrow(() => validateBackend(backend(spec)));
  }
  assert.doesNotThrow(() => validateBackend(undefined as unknown as Backend));
});

test('validateBackendUpdate validates the new object, not the old one', () => {
  const good = backend({ endpoints: [{ ip: '1.2.3.4' }] });
  const bad = backend({ endpoints: [{ ip: 'not-an-ip' }] });
  assert.deepEqual(
    validateBackendUpdate(bad, good).map((e) => e.field),
    ['spec.endpoints[0].ip'],
  );
  assert.deepEqual(validateBackendUpdate(good, bad), []);
});

test('validateBackendName', () => {
  const cases: Array<[string, boolean, boolean]> = [
    // name, has errors, has warning
    ['my-backend', false, false],
    ['a.b.c', false, false],
    ['dynamic_forward_proxy', false, true],
    ['UpperCase', false, true],
    ['x'.repeat(253), false, false], // kube's subdomain rule does not cap labels at 63
    ['x'.repeat(254), true, false],
    ['.', true, false],
    ['..', true, false],
    ['a/b', true, false],
    ['a%2Fb', true, false],
    ['a b', true, false],
    ['tab\there', true, false],
    ['nul\u0000', true, false],
    ['', true, false],
  ];
  for (const [name, hasErrors, hasWarning] of cases) {
    const r = validateBackendName(name);
    assert.equal(r.errors.length > 0, hasErrors, `${JSON.stringify(name)} errors: ${r.errors}`);
    assert.equal(r.warning !== undefined, hasWarning, `${JSON.stringify(name)} warning`);
  }
});

test('backendDnsCacheConfigWithDefaults', () => {
  const defaults = {
    dnsLookupFamily: 'auto',
    dnsRefreshRateMs: 60_000,
    dnsMinRefreshRateMs: 5_000,
    dnsQueryTimeoutMs: 5_000,
    hostTTLMs: 300_000,
    maxHosts: 1024,
  };
  assert.deepEqual(backendDnsCacheConfigWithDefaults({ dynamicProxy: {} }), defaults);
  assert.deepEqual(backendDnsCacheConfigWithDefaults(undefined), defaults);
  assert.deepEqual(
    backendDnsCacheConfigWithDefaults({
      dynamicProxy: {
        dnsCacheConfig: {
          dnsLookupFamily: 'v4_only',
          dnsRefreshRate: '1m30s',
          dnsMinRefreshRate: '2s',
          dnsQueryTimeout: '1.5s',
          hostTTL: '10m',
          maxHosts: 7,
        },
      },
    }),
    { dnsLookupFamily: 'v4_only', dnsRefreshRateMs: 90_000, dnsMinRefreshRateMs: 2_000, dnsQueryTimeoutMs: 1_500, hostTTLMs: 600_000, maxHosts: 7 },
  );
  // values that would not validate fall back to defaults
  assert.deepEqual(
    backendDnsCacheConfigWithDefaults({
      dynamicProxy: { dnsCacheConfig: { dnsMinRefreshRate: '10ms', hostTTL: 'x', maxHosts: -1 } as never },
    }),
    defaults,
  );
});

test('spec.tls: caBundle must be PEM certificates, serverName a DNS name or an IP; insecureSkipVerify warns', async () => {
  const { createCA } = await import('../../../pkg/certs/selfsigned');
  const ca = createCA('unit-ca', 1);
  const tls = (t: unknown) => summary(backend({ endpoints: [{ fqdn: 'ok.test' }], protocol: 'tls', tls: t }));
  assert.deepEqual(tls({ caBundle: ca.cert }), []);
  assert.deepEqual(tls({ caBundle: ca.cert + '\n' + ca.cert }), [], 'several certificates');
  assert.deepEqual(tls({ serverName: 'svc.internal' }), []);
  assert.deepEqual(tls({ serverName: '10.0.0.1' }), []);
  assert.deepEqual(tls({ insecureSkipVerify: true }), []);
  assert.deepEqual(tls({ caBundle: 'not pem' }), [['FieldValueInvalid', 'spec.tls.caBundle']]);
  assert.deepEqual(tls({ caBundle: ca.key }), [['FieldValueInvalid', 'spec.tls.caBundle']], 'a private key is not a CA bundle');
  const lines = ca.cert.trim().split('\n');
  const truncated = [lines[0], ...lines.slice(1, 4), lines[lines.length - 1]].join('\n');
  assert.deepEqual(tls({ caBundle: truncated }), [['FieldValueInvalid', 'spec.tls.caBundle']], 'a truncated certificate');
  assert.deepEqual(tls({ caBundle: ca.cert + 'trailing junk' }), [['FieldValueInvalid', 'spec.tls.caBundle']]);
  assert.deepEqual(tls({ serverName: 'Not A Name' }), [['FieldValueInvalid', 'spec.tls.serverName']]);
  const msg = validateBackend(backend({ tls: { caBundle: 'x' } }))[0]!;
  assert.match(msg.detail ?? '', /PEM/);
  assert.deepEqual(backendWarnings(backend({ tls: { insecureSkipVerify: true } }, 'b1')).length, 1);
  assert.match(backendWarnings(backend({ tls: { insecureSkipVerify: true } }, 'b1'))[0]!, /spec\.tls\.insecureSkipVerify/);
  assert.deepEqual(backendWarnings(backend({ tls: { insecureSkipVerify: false } })), []);
  assert.deepEqual(backendWarnings(backend({ tls: { caBundle: ca.cert } })), []);
});
