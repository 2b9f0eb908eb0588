// edgeProxy registrations as API objects, and back.
//   register → Backend named by `id`: one endpoint ip:port with the weight, circuitBreaker
//              softLimit/maxConnections = soft_limit/hard_limit, labels app/region/country and
//              switchyard.dev/facade=edgeproxy, annotations with the registration and (coarsely
//              persisted) heartbeat times.
//   app      → HTTPRoute `edgeproxy-<app>`, hostnames [<app>, <app>.<EDGEPROXY_APP_DOMAIN>], one rule
//              PathPrefix "/", annotated switchyard.dev/balance=edge + switchyard.dev/edge-app=<app>:
//              translate turns it into one load-aware pool of every Backend labelled app=<app>.
import type { KObject } from '../../../apis/meta/v1/types';
import type { Backend } from '../../../apis/core/v1alpha2/backend_types';
import { ANNOTATION_BALANCE, ANNOTATION_EDGE_APP, ANNOTATION_EDGE_EXPIRED, APP_LABEL, BALANCE_EDGE, FACADE_LABEL, REGION_LABEL } from '../../../apis/annotations';
import type { Registration } from './payload';

export const FACADE = 'edgeproxy';
export const COUNTRY_LABEL = 'country';
/** last heartbeat as persisted (RFC 3339 with ms); memory holds the exact one */
export const ANNOTATION_HEARTBEAT = 'switchyard.dev/edge-heartbeat';
/** when the backend (last) registered */
export const ANNOTATION_REGISTERED = 'switchyard.dev/edge-registered';
export { ANNOTATION_EDGE_EXPIRED };

export const routeName = (app: string) => `edgeproxy-${app}`;
export const iso = (ms: number) => new Date(ms).toISOString();

export function backendObject(reg: Registration, nowMs: number): KObject {
  return {
    metadata: {
      name: reg.id,
      labels: { [FACADE_LABEL]: FACADE, [APP_LABEL]: reg.app, [REGION_LABEL]: reg.region, [COUNTRY_LABEL]: reg.country },
      annotations: { [ANNOTATION_HEARTBEAT]: iso(nowMs), [ANNOTATION_REGISTERED]: iso(nowMs) },
    },
    spec: {
      endpoints: [{ ip: reg.ip, port: reg.port, weight: reg.weight }],
      circuitBreaker: { softLimit: reg.softLimit, maxConnections: reg.hardLimit },
    },
  };
}

/** An upsert onto an existing edgeProxy Backend: its labels and spec replaced, other annotations kept. */
export function applyRegistration(cur: KObject, desired: KObject): KObject {
  const labels = { ...(cur.metadata.labels ?? {}), ...desired.metadata.labels };
  const annotations = { ...(cur.metadata.annotations ?? {}), ...desired.metadata.annotations };
  delete annotations[ANNOTATION_EDGE_EXPIRED];
  return { ...cur, metadata: { ...cur.metadata, labels, annotations }, spec: desired.spec };
}

export function routeObject(app: string, domain: string | undefined): KObject {
  return {
    metadata: {
      name: routeName(app),
      labels: { [FACADE_LABEL]: FACADE, [APP_LABEL]: app },
      annotations: { [ANNOTATION_BALANCE]: BALANCE_EDGE, [ANNOTATION_EDGE_APP]: app },
    },
    spec: {
      hostnames: [app, ...(domain ? [`${app}.${domain}`] : [])],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
    },
  };
}

const parseTime = (s: string | undefined): number => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? t : 0;
};

/** What the object says about liveness (the persisted half). */
export function persistedTimes(o: KObject): { heartbeatMs: number; registeredMs: number; expired: boolean } {
  const ann = o.metadata.annotations ?? {};
  const created = parseTime(o.metadata.creationTimestamp);
  return {
    heartbeatMs: parseTime(ann[ANNOTATION_HEARTBEAT]) || created,
    registeredMs: parseTime(ann[ANNOTATION_REGISTERED]) || created,
    expired: !!ann[ANNOTATION_EDGE_EXPIRED],
  };
}

export interface BackendView {
  id: string;
  app: string;
  region: string;
  country: string;
  ip: string;
  port: number;
  weight: number;
  soft_limit: number | null;
  hard_limit: number | null;
  healthy: boolean;
  last_heartbeat_secs: number;
  registered_secs: number;
}

/** The original's GET shape (plus country, weight and the limits). */
export function viewOf(o: KObject, live: { healthy: boolean; lastHeartbeatMs: number; registeredMs: number }, nowMs: number): BackendView {
  const b = o as Backend;
  const ep = b.spec?.endpoints?.[0] ?? {};
  const l = b.metadata.labels ?? {};
  const secs = (t: number) => Math.max(0, Math.floor((nowMs - t) / 1000));
  return {
    id: b.metadata.name!,
    app: l[APP_LABEL] ?? '',
    region: l[REGION_LABEL] ?? '',
    country: l[COUNTRY_LABEL] ?? '',
    ip: ep.ip ?? ep.fqdn ?? '',
    port: ep.port ?? 0,
    weight: ep.weight ?? 1,
    soft_limit: b.spec?.circuitBreaker?.softLimit ?? null,
    hard_limit: b.spec?.circuitBreaker?.maxConnections ?? null,
    healthy: live.healthy,
    last_heartbeat_secs: secs(live.lastHeartbeatMs),
    registered_secs: secs(live.registeredMs),
  };
}
