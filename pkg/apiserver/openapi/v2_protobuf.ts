// OpenAPI v2 as kubectl ≤ 1.26 downloads it: a protobuf-encoded gnostic `openapi.v2.Document`
// (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf). kubectl 1.20 refuses to
// `apply` without it (client-side validation). Only the messages a schema document needs are
// described here; field numbers are gnostic's (openapiv2/OpenAPIv2.proto).
import protobuf from 'protobufjs';
import * as YAML from 'yaml';

export const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const f = (id: number, type: string, rule?: 'repeated') => ({ id, type, ...(rule ? { rule } : {}) });

const root = protobuf.Root.fromJSON({
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Document: { fields: { swagger: f(1, 'string'), info: f(2, 'Info'), paths: f(8, 'Paths'), definitions: f(9, 'Definitions') } },
            Info: { fields: { title: f(1, 'string'), version: f(2, 'string') } },
            Paths: { fields: {} },
            Definitions: { fields: { additionalProperties: f(1, 'NamedSchema', 'repeated') } },
            NamedSchema: { fields: { name: f(1, 'string'), value: f(2, 'Schema') } },
            Properties: { fields: { additionalProperties: f(1, 'NamedSchema', 'repeated') } },
            Any: { fields: { yaml: f(2, 'string') } },
            NamedAny: { fields: { name: f(1, 'string'), value: f(2, 'Any') } },
            TypeItem: { fields: { value: f(1, 'string', 'repeated') } },
            ItemsItem: { fields: { schema: f(1, 'Schema', 'repeated') } },
            AdditionalPropertiesItem: { oneofs: { oneof: { oneof: ['schema', 'boolean'] } }, fields: { schema: f(1, 'Schema'), boolean: f(2, 'bool') } },
            Schema: {
              fields: {
                _ref: f(1, 'string'),
                format: f(2, 'string'),
                title: f(3, 'string'),
                description: f(4, 'string'),
                maximum: f(7, 'double'),
                minimum: f(9, 'double'),
                maxLength: f(11, 'int64'),
                minLength: f(12, 'int64'),
                pattern: f(13, 'string'),
                maxItems: f(14, 'int64'),
                minItems: f(15, 'int64'),
                required: f(19, 'string', 'repeated'),
                enum: f(20, 'Any', 'repeated'),
                additionalProperties: f(21, 'AdditionalPropertiesItem'),
                type: f(22, 'TypeItem'),
                items: f(23, 'ItemsItem'),
                allOf: f(24, 'Schema', 'repeated'),
                properties: f(25, 'Properties'),
                vendorExtension: f(31, 'NamedAny', 'repeated'),
              },
            },
          },
        },
      },
    },
  },
});

const Document = root.lookupType('openapi.v2.Document');

type JSONSchema = Record<string, unknown>;

const yamlAny = (v: unknown) => ({ yaml: YAML.stringify(v) });

/** One JSON schema as a gnostic Schema message (kube's v2 publishing: allOf-of-one-$ref becomes $ref). */
export function toSchemaMessage(s: JSONSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const allOf = s.allOf as JSONSchema[] | undefined;
  if (typeof s.$ref === 'string') out._ref = s.$ref;
  else if (allOf?.length === 1 && typeof allOf[0].$ref === 'string') out._ref = allOf[0].$ref;
  else if (allOf?.length) out.allOf = allOf.map(toSchemaMessage);
  for (const k of ['format', 'title', 'description', 'pattern'] as const) if (typeof s[k] === 'string') out[k] = s[k];
  for (const k of ['maximum', 'minimum', 'maxLength', 'minLength', 'maxItems', 'minItems'] as const) if (typeof s[k] === 'number') out[k] = s[k];
  if (typeof s.type === 'string') out.type = { value: [s.type] };
  if (Array.isArray(s.required) && s.required.length) out.required = s.required;
  if (Array.isArray(s.enum)) out.enum = s.enum.map(yamlAny);
  if (s.items && typeof s.items === 'object') out.items = { schema: [toSchemaMessage(s.items as JSONSchema)] };
  if (s.properties && typeof s.properties === 'object') {
    out.properties = { additionalProperties: Object.entries(s.properties as Record<string, JSONSchema>).map(([name, v]) => ({ name, value: toSchemaMessage(v) })) };
  }
  if (typeof s.additionalProperties === 'boolean') out.additionalProperties = { boolean: s.additionalProperties };
  else if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = { schema: toSchemaMessage(s.additionalProperties as JSONSchema) };
  const ext = Object.keys(s).filter((k) => k.startsWith('x-'));
  if (ext.length) out.vendorExtension = ext.map((name) => ({ name, value: yamlAny(s[name]) }));
  return out;
}

/** A Swagger 2.0 JSON document (definitions only) as protobuf bytes. */
export function encodeV2(doc: { swagger: string; info: { title: string; version: string }; definitions: Record<string, JSONSchema> }): Buffer {
  const msg = Document.fromObject({
    swagger: doc.swagger,
    info: doc.info,
    paths: {},
    definitions: { additionalProperties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: toSchemaMessage(s) })) },
  });
  return Buffer.from(Document.encode(msg).finish());
}

export function decodeV2(buf: Uint8Array): Record<string, unknown> {
  return Document.toObject(Document.decode(buf), { defaults: false }) as Record<string, unknown>;
}
