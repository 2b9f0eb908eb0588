// OpenAPI v3 documents per group-version (paths with x-kubernetes-group-version-kind and the
// parameters kubectl looks for: fieldValidation, dryRun, fieldManager, force; PATCH listing only
// the three patch types it may send) and a Swagger 2.0 view of the same definitions.
import { createHash } from 'node:crypto';
import type { JSONSchemaProps } from '../../schema/types';
import type { Resource } from '../../registry/resource';
import { patchTypesFor } from '../../registry/generic/patch';
import { DELETE_OPTIONS, LIST_META, OBJECT_META, PATCH, STATUS, WATCH_EVENT, metaSchemas } from './meta_schemas';

/** kube's definition name for a CRD kind: reversed group, version, kind. */
export function definitionName(group: string, version: string, kind: string): string {
  if (group === '') return `io.k8s.api.core.${version}.${kind}`; // the core group, as kube names it
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** `/apis/<g>/<v>`, or `/api/<v>` for the core group */
const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

type Ref = (name: string) => string;
const v3ref: Ref = (n) => `#/components/schemas/${n}`;
const v2ref: Ref = (n) => `#/definitions/${n}`;

function kindSchema(r: Resource, version: string, schema: JSONSchemaProps, ref: Ref): object {
  const s = structuredClone(schema) as Record<string, unknown>;
  const props = { ...((s.properties as Record<string, unknown>) ?? {}) };
  props.apiVersion = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.' };
  props.kind = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.' };
  props.metadata = { allOf: [{ $ref: ref(OBJECT_META) }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" };
  s.properties = props;
  s.type = 'object';
  s['x-kubernetes-group-version-kind'] = [{ group: r.group, kind: r.kind, version }];
  return s;
}

function listSchema(r: Resource, version: string, ref: Ref): object {
  return {
    type: 'object',
    required: ['items'],
    description: `${r.listKind} is a list of ${r.kind}`,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      items: { type: 'array', description: `List of ${r.plural}.`, items: { $ref: ref(definitionName(r.group, version, r.kind)) } },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { allOf: [{ $ref: ref(LIST_META) }], description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.listKind, version }],
  };
}

const qp = (name: string, description: string, type = 'string') => ({ name, in: 'query', description, schema: { type }, uniqueItems: true });
const P = {
  dryRun: qp('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: qp('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: qp('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.'),
  force: qp('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', 'boolean'),
  pretty: qp('pretty', "If 'true', then the output is pretty printed."),
  allowWatchBookmarks: qp('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  continue: qp('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: qp('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  labelSelector: qp('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  limit: qp('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  resourceVersion: qp('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: qp('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: qp('sendInitialEvents', 'sendInitialEvents=true may be set together with watch=true.', 'boolean'),
  timeoutSeconds: qp('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: qp('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const JSONY = ['application/json', 'application/yaml'];

function op(r: Resource, version: string, action: string, id: string, description: string, responseRef: string, extra: Record<string, unknown> = {}) {
  return {
    tags: [`${r.group.replace(/\./g, '') || 'core'}_${version}`],
    description,
    operationId: `${id}${version[0].toUpperCase()}${version.slice(1)}${r.kind}`,
    responses: {
      '200': { description: 'OK', content: Object.fromEntries(JSONY.map((t) => [t, { schema: { $ref: v3ref(responseRef) } }])) },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version, kind: r.kind },
    ...extra,
  };
}

function body(ref: string, types = JSONY) {
  return { content: Object.fromEntries(types.map((t) => [t, { schema: { $ref: v3ref(ref) } }])), required: true };
}

function resourcePaths(r: Resource, version: string): Record<string, object> {
  const kind = definitionName(r.group, version, r.kind);
  const list = definitionName(r.group, version, r.listKind);
  const root = `/${gvPath(r.group, version)}`;
  const base = r.namespaced ? `${root}/namespaces/{namespace}/${r.plural}` : `${root}/${r.plural}`;
  const nameParam = { name: 'name', in: 'path', description: `name of the ${r.kind}`, required: true, schema: { type: 'string', uniqueItems: true } };
  const nsParam = { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } };
  const scoped = r.namespaced ? [nsParam] : [];
  const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
  const paths: Record<string, object> = {
    ...(r.namespaced
      ? { [`${root}/${r.plural}`]: { get: op(r, version, 'list', 'list', `list or watch objects of kind ${r.kind}`, list, { operationId: `list${version[0].toUpperCase()}${version.slice(1)}${r.kind}ForAllNamespaces`, parameters: LIST_PARAMS }), parameters: [P.pretty] } }
      : {}),
    [base]: {
      get: op(r, version, 'list', 'list', `list objects of kind ${r.kind}`, list, { parameters: LIST_PARAMS }),
      post: op(r, version, 'post', 'create', `create a ${r.kind}`, kind, { parameters: writeParams, requestBody: body(kind) }),
      ...(r.verbs.includes('deletecollection')
        ? { delete: op(r, version, 'deletecollection', 'deleteCollection', `delete collection of ${r.kind}`, STATUS, { parameters: [...LIST_PARAMS, P.dryRun], requestBody: body(DELETE_OPTIONS) }) }
        : {}),
      parameters: [...scoped, P.pretty],
    },
    [`${base}/{name}`]: {
      get: op(r, version, 'get', 'read', `read the specified ${r.kind}`, kind, { parameters: [P.resourceVersion] }),
      put: op(r, version, 'put', 'replace', `replace the specified ${r.kind}`, kind, { parameters: writeParams, requestBody: body(kind) }),
      patch: op(r, version, 'patch', 'patch', `partially update the specified ${r.kind}`, kind, { parameters: [...writeParams, P.force], requestBody: body(PATCH, [...patchTypesFor(r)]) }),
      delete: op(r, version, 'delete', 'delete', `delete a ${r.kind}`, STATUS, { parameters: [P.dryRun], requestBody: body(DELETE_OPTIONS) }),
      parameters: [nameParam, ...scoped, P.pretty],
    },
  };
  if (r.hasStatus) {
    paths[`${base}/{name}/status`] = {
      get: op(r, version, 'get', 'read', `read status of the specified ${r.kind}`, kind),
      put: op(r, version, 'put', 'replace', `replace status of the specified ${r.kind}`, kind, { parameters: writeParams, requestBody: body(kind) }),
      patch: op(r, version, 'patch', 'patch', `partially update status of the specified ${r.kind}`, kind, { parameters: [...writeParams, P.force], requestBody: body(PATCH, [...patchTypesFor(r)]) }),
      parameters: [nameParam, ...scoped, P.pretty],
    };
  }
  return paths;
}

export interface GroupVersionDoc {
  path: string;
  doc: object;
  hash: string;
}

export function buildV3(resources: Resource[], serverVersion: string): GroupVersionDoc[] {
  const byGV = new Map<string, Resource[]>();
  for (const r of resources) for (const v of r.versions) {
    const k = gvPath(r.group, v.name);
    byGV.set(k, [...(byGV.get(k) ?? []), r]);
  }
  const out: GroupVersionDoc[] = [];
  for (const [gv, rs] of [...byGV.entries()].sort()) {
    const version = gv.split('/').pop()!;
    const schemas: Record<string, object> = { ...metaSchemas(v3ref) };
    let paths: Record<string, object> = {};
    for (const r of rs) {
      const sv = r.versions.find((v) => v.name === version)!;
      schemas[definitionName(r.group, version, r.kind)] = kindSchema(r, version, sv.schema, v3ref);
      schemas[definitionName(r.group, version, r.listKind)] = listSchema(r, version, v3ref);
      paths = { ...paths, ...resourcePaths(r, version) };
    }
    schemas[WATCH_EVENT] ??= {};
    const doc = { openapi: '3.0.0', info: { title: 'Kubernetes', version: serverVersion }, paths, components: { schemas } };
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
    out.push({ path: gv, doc, hash });
  }
  return out;
}

export function v3Index(docs: GroupVersionDoc[]): object {
  return { paths: Object.fromEntries(docs.map((d) => [d.path, { serverRelativeURL: `/openapi/v3/${d.path}?hash=${d.hash}` }])) };
}

/** Swagger 2.0 with the same definitions, for clients that read /openapi/v2 as JSON. */
export function buildV2(resources: Resource[], serverVersion: string): object {
  const definitions: Record<string, object> = { ...metaSchemas(v2ref) };
  for (const r of resources) for (const v of r.versions) {
    definitions[definitionName(r.group, v.name, r.kind)] = kindSchema(r, v.name, v.schema, v2ref);
    definitions[definitionName(r.group, v.name, r.listKind)] = listSchema(r, v.name, v2ref);
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: serverVersion }, paths: {}, definitions };
}
