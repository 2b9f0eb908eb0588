// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
// kubectl 1.32 sends for built-in kinds (`create secret`, `create configmap`, `create namespace`,
// and the DeleteOptions of `delete`). The envelope is "k8s\0" + runtime.Unknown{typeMeta, raw};
// raw is the kind's message. Only the messages of the kinds served here are described; field
// numbers are those of k8s.io/api/core/v1 and k8s.io/apimachinery generated.proto. Decoded into
// the JSON shape (bytes → base64, Time → RFC 3339, FieldsV1 → its JSON).
import protobuf from 'protobufjs';
import { badRequest, unsupportedMediaType } from '../../apierrors/errors';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const f = (id: number, type: string, rule?: 'repeated') => ({ id, type, ...(rule ? { rule } : {}) });
const m = (id: number, type: string) => ({ id, keyType: 'string', type });

const root = protobuf.Root.fromJSON({
  nested: {
    k8s: {
      nested: {
        Unknown: { fields: { typeMeta: f(1, 'TypeMeta'), raw: f(2, 'bytes'), contentEncoding: f(3, 'string'), contentType: f(4, 'string') } },
        TypeMeta: { fields: { apiVersion: f(1, 'string'), kind: f(2, 'string') } },
        Time: { fields: { seconds: f(1, 'int64'), nanos: f(2, 'int32') } },
        FieldsV1: { fields: { Raw: f(1, 'bytes') } },
        OwnerReference: {
          fields: { kind: f(1, 'string'), name: f(3, 'string'), uid: f(4, 'string'), apiVersion: f(5, 'string'), controller: f(6, 'bool'), blockOwnerDeletion: f(7, 'bool') },
        },
        ManagedFieldsEntry: {
          fields: { manager: f(1, 'string'), operation: f(2, 'string'), apiVersion: f(3, 'string'), time: f(4, 'Time'), fieldsType: f(6, 'string'), fieldsV1: f(7, 'FieldsV1'), subresource: f(8, 'string') },
        },
        ObjectMeta: {
          fields: {
            name: f(1, 'string'), generateName: f(2, 'string'), namespace: f(3, 'string'), selfLink: f(4, 'string'), uid: f(5, 'string'),
            resourceVersion: f(6, 'string'), generation: f(7, 'int64'), creationTimestamp: f(8, 'Time'), deletionTimestamp: f(9, 'Time'),
            deletionGracePeriodSeconds: f(10, 'int64'), labels: m(11, 'string'), annotations: m(12, 'string'),
            ownerReferences: f(13, 'OwnerReference', 'repeated'), finalizers: f(14, 'string', 'repeated'), managedFields: f(17, 'ManagedFieldsEntry', 'repeated'),
          },
        },
        Secret: { fields: { metadata: f(1, 'ObjectMeta'), data: m(2, 'bytes'), type: f(3, 'string'), stringData: m(4, 'string'), immutable: f(5, 'bool') } },
        ConfigMap: { fields: { metadata: f(1, 'ObjectMeta'), data: m(2, 'string'), binaryData: m(3, 'bytes'), immutable: f(4, 'bool') } },
        NamespaceSpec: { fields: { finalizers: f(1, 'string', 'repeated') } },
        NamespaceCondition: { fields: { type: f(1, 'string'), status: f(2, 'string'), lastTransitionTime: f(4, 'Time'), reason: f(5, 'string'), message: f(6, 'string') } },
        NamespaceStatus: { fields: { phase: f(1, 'string'), conditions: f(2, 'NamespaceCondition', 'repeated') } },
        Namespace: { fields: { metadata: f(1, 'ObjectMeta'), spec: f(2, 'NamespaceSpec'), status: f(3, 'NamespaceStatus') } },
        IntOrString: { fields: { type: f(1, 'int64'), intVal: f(2, 'int32'), strVal: f(3, 'string') } },
        ServicePort: { fields: { name: f(1, 'string'), protocol: f(2, 'string'), port: f(3, 'int32'), targetPort: f(4, 'IntOrString'), nodePort: f(5, 'int32'), appProtocol: f(6, 'string') } },
        ServiceSpec: {
          fields: {
            ports: f(1, 'ServicePort', 'repeated'), selector: m(2, 'string'), clusterIP: f(3, 'string'), type: f(4, 'string'), externalIPs: f(5, 'string', 'repeated'),
            sessionAffinity: f(7, 'string'), externalName: f(10, 'string'), publishNotReadyAddresses: f(13, 'bool'), ipFamilyPolicy: f(17, 'string'),
            clusterIPs: f(18, 'string', 'repeated'), ipFamilies: f(19, 'string', 'repeated'), internalTrafficPolicy: f(22, 'string'),
          },
        },
        Service: { fields: { metadata: f(1, 'ObjectMeta'), spec: f(2, 'ServiceSpec') } },
        ObjectReference: { fields: { kind: f(1, 'string'), namespace: f(2, 'string'), name: f(3, 'string'), uid: f(4, 'string'), apiVersion: f(5, 'string'), resourceVersion: f(6, 'string'), fieldPath: f(7, 'string') } },
        EndpointConditions: { fields: { ready: f(1, 'bool'), serving: f(2, 'bool'), terminating: f(3, 'bool') } },
        Endpoint: { fields: { addresses: f(1, 'string', 'repeated'), conditions: f(2, 'EndpointConditions'), hostname: f(3, 'string'), targetRef: f(4, 'ObjectReference'), nodeName: f(6, 'string'), zone: f(7, 'string') } },
        EndpointPort: { fields: { name: f(1, 'string'), protocol: f(2, 'string'), port: f(3, 'int32'), appProtocol: f(4, 'string') } },
        EndpointSlice: { fields: { metadata: f(1, 'ObjectMeta'), endpoints: f(2, 'Endpoint', 'repeated'), ports: f(3, 'EndpointPort', 'repeated'), addressType: f(4, 'string') } },
        Preconditions: { fields: { uid: f(1, 'string'), resourceVersion: f(2, 'string') } },
        DeleteOptions: {
          fields: { gracePeriodSeconds: f(1, 'int64'), preconditions: f(2, 'Preconditions'), orphanDependents: f(3, 'bool'), propagationPolicy: f(4, 'string'), dryRun: f(5, 'string', 'repeated') },
        },
      },
    },
  },
});

/** apiVersion/kind → message name, for the kinds a protobuf body may carry. */
const KINDS: Record<string, string> = { 'v1/Secret': 'Secret', 'v1/ConfigMap': 'ConfigMap', 'v1/Namespace': 'Namespace', 'v1/Service': 'Service', 'discovery.k8s.io/v1/EndpointSlice': 'EndpointSlice', 'v1/DeleteOptions': 'DeleteOptions', 'meta.k8s.io/v1/DeleteOptions': 'DeleteOptions' };

const type = (name: string) => root.lookupType(`k8s.${name}`);
/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds */
const MIN_RFC3339_SECONDS = -62167219200;
const MAX_RFC3339_SECONDS = 253402300799;
const TIME_FIELDS = new Set(['creationTimestamp', 'deletionTimestamp', 'time', 'lastTransitionTime']);

/** The JSON shape of a protobuf-encoded object. 415 for a kind not described here, 400 for bad bytes. */
export function decodeProtobuf(buf: Buffer): Record<string, unknown> {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw badRequest('the protobuf body lacks the k8s\\0 prefix');
  let env: Record<string, unknown>;
  try {
    env = type('Unknown').toObject(type('Unknown').decode(buf.subarray(MAGIC.length)), { longs: Number, defaults: false }) as Record<string, unknown>;
  } catch (err) {
    throw badRequest(`the protobuf body could not be decoded: ${(err as Error).message}`);
  }
  const tm = (env.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const name = Object.hasOwn(KINDS, `${tm.apiVersion}/${tm.kind}`) ? KINDS[`${tm.apiVersion}/${tm.kind}`] : undefined;
  if (!name) throw unsupportedMediaType(`${PROTOBUF} (${tm.apiVersion}/${tm.kind})`, ['application/json', 'application/yaml']);
  let obj: Record<string, unknown>;
  try {
    const t = type(name);
    obj = t.toObject(t.decode((env.raw as Uint8Array) ?? new Uint8Array()), { longs: Number, bytes: String, defaults: false }) as Record<string, unknown>;
  } catch (err) {
    throw badRequest(`the protobuf body could not be decoded: ${(err as Error).message}`);
  }
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...(toJSONShape(obj) as Record<string, unknown>) };
}

function toJSONShape(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => toJSONShape(x));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (TIME_FIELDS.has(key)) {
    const seconds = Number(o.seconds ?? 0);
    // a zero metav1.Time is Go's nil time: JSON null, i.e. absent
    if (seconds === 0 && !o.nanos) return undefined;
    // RFC 3339 holds years 0000–9999 only (Go's Time.MarshalJSON refuses the rest; JS Date throws)
    if (!Number.isSafeInteger(seconds) || seconds < MIN_RFC3339_SECONDS || seconds > MAX_RFC3339_SECONDS) {
      throw badRequest(`the protobuf body could not be decoded: ${key}: seconds ${String(o.seconds)} is outside the years 0000–9999`);
    }
    return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  // intstr.IntOrString: type 0 = int, 1 = string
  if (key === 'targetPort') return o.type === 1 ? (o.strVal ?? '') : Number(o.intVal ?? 0);
  if (key === 'fieldsV1') {
    const raw = typeof o.Raw === 'string' ? Buffer.from(o.Raw, 'base64').toString('utf8') : '{}';
    try {
      return JSON.parse(raw);
    } catch {
      return {};
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    const y = toJSONShape(x, k);
    // gogo-protobuf writes every non-pointer string; JSON's omitempty leaves empty ones out
    if (y !== undefined && y !== '') Object.defineProperty(out, k, { value: y, writable: true, enumerable: true, configurable: true });
  }
  return out;
}
