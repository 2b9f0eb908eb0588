import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as YAML from 'yaml';
import { decodeV2, encodeV2, toSchemaMessage } from './v2_protobuf';
import { buildV2 } from './document';
import { servedResources } from '../../registry/kinds';

test('allOf of one $ref becomes $ref; vendor extensions and enums travel as YAML', () => {
  const m = toSchemaMessage({
    type: 'object',
    properties: { metadata: { allOf: [{ $ref: '#/definitions/x.ObjectMeta' }] }, protocol: { type: 'string', enum: ['', 'tls'] } },
    'x-kubernetes-group-version-kind': [{ group: 'core.apoxy.dev', kind: 'Backend', version: 'v1alpha2' }],
  });
  const props = (m.properties as { additionalProperties: Array<{ name: string; value: Record<string, unknown> }> }).additionalProperties;
  assert.equal(props[0].value._ref, '#/definitions/x.ObjectMeta');
  assert.deepEqual((props[1].value.enum as Array<{ yaml: string }>).map((a) => YAML.parse(a.yaml)), ['', 'tls']);
  const ext = m.vendorExtension as Array<{ name: string; value: { yaml: string } }>;
  assert.equal(ext[0].name, 'x-kubernetes-group-version-kind');
  assert.deepEqual(YAML.parse(ext[0].value.yaml), [{ group: 'core.apoxy.dev', kind: 'Backend', version: 'v1alpha2' }]);
});

test('the served document encodes and decodes with every kind findable by its GVK extension', () => {
  const doc = buildV2(servedResources(), 'v1.32.0') as Parameters<typeof encodeV2>[0];
  const back = decodeV2(encodeV2(doc)) as { swagger: string; definitions: { additionalProperties: Array<{ name: string; value: { vendorExtension?: Array<{ name: string; value: { yaml: string } }> } }> } };
  assert.equal(back.swagger, '2.0');
  const gvks = back.definitions.additionalProperties.flatMap((d) =>
    (d.value.vendorExtension ?? []).filter((e) => e.name === 'x-kubernetes-group-version-kind').flatMap((e) => YAML.parse(e.value.yaml) as Array<{ kind: string; version: string }>),
  );
  for (const [kind, version] of [['Backend', 'v1alpha2'], ['Backend', 'v1alpha'], ['HTTPRoute', 'v1'], ['Gateway', 'v1'], ['GatewayClass', 'v1'], ['Proxy', 'v1alpha2']]) {
    assert.ok(gvks.some((g) => g.kind === kind && g.version === version), `${kind}/${version}`);
  }
});
