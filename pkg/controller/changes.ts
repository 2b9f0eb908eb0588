// Which informer events can change the routing snapshot. translate reads only these parts of each
// object (everything else — status, resourceVersion, managedFields, other labels and annotations
// such as edgeProxy heartbeats — cannot change its output):
//   Backend:      name, spec, labels region / app / switchyard.dev/facade, annotations
//                 circuit-breaker-failure-window / -close-after-successes / edge-expired
//   HTTPRoute, GRPCRoute: name, creationTimestamp, spec, annotations websocket / response-headers /
//                 retry-idempotent-only / balance / edge-app
//   Gateway:      name, creationTimestamp, spec
//   GatewayClass: name, spec
//   Secret:       namespace, name, type, data (TLS Secrets only: HTTPS listeners' certificates)
// Statuses also read generation and the object's current status (lastTransitionTime is kept), so
// any other new resourceVersion is a status-only change: recheck that object's status, nothing else.
// Pure.
import { canonicalJSON } from '../util/canonical_json';
import { ANNOTATION_CB_CLOSE_AFTER, ANNOTATION_CB_FAILURE_WINDOW, ANNOTATION_EDGE_EXPIRED, APP_LABEL, FACADE_LABEL, REGION_LABEL } from './translate/backends';
import { ANNOTATION_BALANCE, ANNOTATION_EDGE_APP, ANNOTATION_RESPONSE_HEADERS, ANNOTATION_RETRY_IDEMPOTENT_ONLY, ANNOTATION_WEBSOCKET } from './translate/routes';

export type Kind = 'backends' | 'httproutes' | 'grpcroutes' | 'gateways' | 'gatewayclasses' | 'secrets';

const BACKEND_LABELS = [REGION_LABEL, APP_LABEL, FACADE_LABEL];
const BACKEND_ANNOTATIONS = [ANNOTATION_CB_FAILURE_WINDOW, ANNOTATION_CB_CLOSE_AFTER, ANNOTATION_EDGE_EXPIRED];
const ROUTE_ANNOTATIONS = [ANNOTATION_WEBSOCKET, ANNOTATION_RESPONSE_HEADERS, ANNOTATION_RETRY_IDEMPOTENT_ONLY, ANNOTATION_BALANCE, ANNOTATION_EDGE_APP];

function pick(m: Record<string, string> | undefined, keys: string[]): Record<string, string> | undefined {
  if (!m) return undefined;
  let out: Record<string, string> | undefined;
  for (const k of keys) if (m[k] !== undefined) (out ??= {})[k] = m[k];
  return out;
}

/** the parts of any API object read here (client-node's and our own types both fit) */
export interface Obj {
  metadata?: {
    name?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: unknown;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
}

/**
 * The part of an object translate reads, as a string: equal keys ⇒ equal translation (for the same
 * other objects). Also the per-Backend fingerprint of its BackendIR (the IR is a function of it).
 */
export function translateKey(kind: Kind, o: Obj): string {
  const m = o.metadata ?? {};
  switch (kind) {
    case 'backends':
      return canonicalJSON({ name: m.name, spec: o.spec, labels: pick(m.labels, BACKEND_LABELS), annotations: pick(m.annotations, BACKEND_ANNOTATIONS) });
    case 'httproutes':
    case 'grpcroutes':
      return canonicalJSON({ name: m.name, created: m.creationTimestamp, spec: o.spec, annotations: pick(m.annotations, ROUTE_ANNOTATIONS) });
    case 'gateways':
      return canonicalJSON({ name: m.name, created: m.creationTimestamp, spec: o.spec });
    case 'gatewayclasses':
      return canonicalJSON({ name: m.name, spec: o.spec });
    case 'secrets':
      // HTTPS listeners' certificates: a new version of the data is a new certificate
      return canonicalJSON({ ns: (m as { namespace?: string }).namespace, name: m.name, type: (o as { type?: unknown }).type, data: (o as { data?: unknown }).data });
  }
}

/** ignore: nothing new (a resync or a replayed event); status: recheck this object's status only; translate: the snapshot may change */
export type Change = 'ignore' | 'status' | 'translate';

export type EventType = 'add' | 'update' | 'delete';

/** Remembers each object's resourceVersion and translate key, and classifies its next event. */
export class ChangeTracker {
  private readonly seen = new Map<string, { rv: string | undefined; key: string }>();

  constructor(private readonly kind: Kind) {}

  observe(type: EventType, o: Obj): Change {
    const name = o.metadata?.name ?? '';
    if (type === 'delete') {
      this.seen.delete(name);
      return 'translate';
    }
    const rv = o.metadata?.resourceVersion;
    const prev = this.seen.get(name);
    if (prev && rv !== undefined && prev.rv === rv) return 'ignore';
    const key = translateKey(this.kind, o);
    this.seen.set(name, { rv, key });
    if (!prev || type === 'add') return 'translate';
    return prev.key === key ? 'status' : 'translate';
  }

  get size(): number {
    return this.seen.size;
  }
}
