// The crds/ files themselves: structural (so they install into a real cluster), defaults that
// prune to themselves and validate, printer columns kube accepts, and TS constants in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as backendTypes from '../../apis/core/v1alpha2/backend_types';
import { loadCRDs } from './crd_loader';
import { applyDefaults, pruneUnknownFields } from './structural';
import { compileSchema } from './validator';
import type { JSONSchemaProps } from './types';

const crds = loadCRDs();

const FORBIDDEN_KEYS = ['$ref', 'definitions', 'id', 'additionalItems', 'patternProperties', 'dependencies', '$schema'];
const JUNCTOR_FORBIDDEN = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields'];

/** kube's structural-schema rules (apiextensions validation), the ones our files could break. */
function structuralProblems(s: JSONSchemaProps, path: string, inJunctor = false): string[] {
  const out: string[] = [];
  const here = path || '<root>';
  for (const k of FORBIDDEN_KEYS) if (k in s) out.push(`${here}: ${k} is not allowed`);
  if (s.uniqueItems === true) out.push(`${here}: uniqueItems cannot be true`);
  if (s.additionalProperties === false) out.push(`${here}: additionalProperties cannot be false`);
  if (inJunctor) {
    for (const k of JUNCTOR_FORBIDDEN) if (k in s) out.push(`${here}: ${k} not allowed inside allOf/anyOf/oneOf/not`);
  } else {
    const untypedOk = s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
    if (!s.type && !untypedOk) out.push(`${here}: type must be set`);
    if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type)) out.push(`${here}: bad type ${s.type}`);
  }
  if (s.properties && s.additionalProperties !== undefined) out.push(`${here}: properties and additionalProperties are exclusive`);
  if (s.type === 'array' && !s.items) out.push(`${here}: arrays need items`);
  if (s.type !== 'object' && s.type !== undefined && (s.properties || s.additionalProperties)) out.push(`${here}: properties on a non-object`);
  if (s['x-kubernetes-list-type'] === 'map') {
    const item = s.items;
    if (item?.type !== 'object') out.push(`${here}: list-type map needs object items`);
    for (const key of s['x-kubernetes-list-map-keys'] ?? []) {
      const prop = item?.properties?.[key];
      if (!prop) out.push(`${here}: list-map key ${key} is not a property`);
      else if (!(item?.required ?? []).includes(key) && prop.default === undefined) out.push(`${here}: list-map key ${key} must be required or defaulted`);
    }
  }
  if (Array.isArray(s.enum) && s.type) {
    for (const e of s.enum) {
      const ok = s.type === 'integer' ? Number.isInteger(e) : s.type === 'string' ? typeof e === 'string' : true;
      if (!ok) out.push(`${here}: enum value ${JSON.stringify(e)} is not a ${s.type}`);
    }
  }
  // inside a junctor (value validations only) nested properties and items need no type either
  for (const [k, p] of Object.entries(s.properties ?? {})) out.push(...structuralProblems(p, path ? `${path}.${k}` : k, inJunctor));
  if (s.items) out.push(...structuralProblems(s.items, `${path}[*]`, inJunctor));
  if (typeof s.additionalProperties === 'object') out.push(...structuralProblems(s.additionalProperties, `${path}{*}`));
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) (s[j] ?? []).forEach((x, i) => out.push(...structuralProblems(x, `${here}.${j}[${i}]`, true)));
  if (s.not) out.push(...structuralProblems(s.not, `${here}.not`, true));
  return out;
}

/** Every `default:` with the path to its schema. */
function defaultsOf(s: JSONSchemaProps, path: string, out: Array<[string, JSONSchemaProps]> = []): Array<[string, JSONSchemaProps]> {
  if (s.default !== undefined) out.push([path, s]);
  for (const [k, p] of Object.entries(s.properties ?? {})) defaultsOf(p, `${path}.${k}`, out);
  if (s.items) defaultsOf(s.items, `${path}[*]`, out);
  if (typeof s.additionalProperties === 'object') defaultsOf(s.additionalProperties, `${path}{*}`, out);
  return out;
}

test('every CRD schema is structural', () => {
  for (const crd of crds) {
    for (const v of crd.spec.versions) {
      const root = v.schema!.openAPIV3Schema;
      const problems = structuralProblems(root, '');
      assert.equal(root.type, 'object');
      assert.deepEqual(root.properties?.metadata, { type: 'object' }, 'metadata may only be {type: object}');
      assert.deepEqual(problems, [], `${crd.metadata.name} ${v.name}`);
    }
  }
});

test('defaults prune to themselves and validate against their own schema', () => {
  for (const crd of crds) {
    for (const v of crd.spec.versions) {
      for (const [path, s] of defaultsOf(v.schema!.openAPIV3Schema, '')) {
        const value = structuredClone(s.default);
        assert.deepEqual(pruneUnknownFields({ x: value }, { type: 'object', properties: { x: s } }), [], `${crd.metadata.name} ${path}`);
        applyDefaults({ x: value }, { type: 'object', properties: { x: s } });
        assert.deepEqual(compileSchema(s)(value), [], `${crd.metadata.name} ${path}`);
      }
    }
  }
});

// The gateway.networking.k8s.io CRDs are the upstream standard channel's files, carried verbatim:
// namespaced, ReferenceGrant without status, HTTPRoute without short names, and `gc`/`gtw` shared
// with gateway.apoxy.dev as in any cluster that has both installed. Our own conventions below
// apply to the apoxy groups.
const isUpstream = (crd: (typeof crds)[number]) => crd.spec.group === 'gateway.networking.k8s.io';

test('names, scope, status subresource and printer columns are kube-valid', () => {
  for (const crd of crds) {
    const n = crd.spec.names;
    assert.match(n.plural, /^[a-z][a-z0-9]*$/);
    assert.match(n.singular ?? '', /^[a-z][a-z0-9]*$/);
    assert.match(n.kind, /^[A-Z][A-Za-z0-9]*$/);
    assert.equal(n.listKind, `${n.kind}List`);
    for (const sn of n.shortNames ?? []) assert.match(sn, /^[a-z][a-z0-9]*$/);
    if (isUpstream(crd)) {
      assert.equal(crd.spec.scope, crd.spec.names.kind === 'GatewayClass' ? 'Cluster' : 'Namespaced');
      continue;
    }
    assert.ok((n.shortNames ?? []).length > 0, `${crd.metadata.name} has short names`);
    assert.equal(crd.spec.scope, 'Cluster');
    for (const v of crd.spec.versions) {
      assert.deepEqual(v.subresources, { status: {} });
      const cols = v.additionalPrinterColumns ?? [];
      assert.ok(cols.some((c) => c.name === 'Age' && c.type === 'date' && c.jsonPath === '.metadata.creationTimestamp'));
      for (const c of cols) {
        assert.ok(['integer', 'number', 'string', 'boolean', 'date'].includes(c.type), c.name);
        assert.ok(c.jsonPath.startsWith('.'), c.jsonPath);
      }
    }
  }
  // short names are unique across our kinds
  const all = crds.filter((c) => !isUpstream(c)).flatMap((c) => c.spec.names.shortNames ?? []);
  assert.equal(new Set(all).size, all.length);
});

test('Backend CRD defaults match the TypeScript constants', () => {
  const crd = crds.find((c) => c.spec.names.kind === 'Backend')!;
  const cfg = crd.spec.versions[0].schema!.openAPIV3Schema.properties!.spec.properties!.dynamicProxy.properties!.dnsCacheConfig.properties!;
  assert.equal(cfg.dnsLookupFamily.default, backendTypes.DEFAULT_DNS_LOOKUP_FAMILY);
  assert.deepEqual(cfg.dnsLookupFamily.enum, [...backendTypes.DNS_LOOKUP_FAMILIES]);
  assert.equal(cfg.dnsRefreshRate.default, backendTypes.DEFAULT_DNS_REFRESH_RATE);
  assert.equal(cfg.dnsMinRefreshRate.default, backendTypes.DEFAULT_DNS_MIN_REFRESH_RATE);
  assert.equal(cfg.dnsQueryTimeout.default, backendTypes.DEFAULT_DNS_QUERY_TIMEOUT);
  assert.equal(cfg.hostTTL.default, backendTypes.DEFAULT_HOST_TTL);
  assert.equal(cfg.maxHosts.default, backendTypes.DEFAULT_MAX_HOSTS);
  const spec = crd.spec.versions[0].schema!.openAPIV3Schema.properties!.spec.properties!;
  assert.deepEqual(spec.protocol.enum, [...backendTypes.BACKEND_PROTOCOLS]);
  assert.deepEqual(spec.loadBalancer.properties!.algorithm.enum, [...backendTypes.LOAD_BALANCER_ALGORITHMS]);
  assert.deepEqual(spec.loadBalancer.properties!.hashOn.enum, [...backendTypes.HASH_ON_VALUES]);
  assert.equal(crd.spec.group, backendTypes.GROUP);
  assert.equal(crd.spec.names.plural, backendTypes.PLURAL);
  assert.deepEqual(
    crd.spec.versions.map((v) => v.name),
    [...backendTypes.SERVED_VERSIONS],
  );
});
