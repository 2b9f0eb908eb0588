// Label and annotation names switchyard gives meaning to: API, shared by the facades that write
// them and the controller that reads them (neither imports the other for a name).

/** Label every facade-made object carries: `edgeproxy`, `registry` or `upstreams`. */
export const FACADE_LABEL = 'switchyard.dev/facade';
export const APP_LABEL = 'app';
export const REGION_LABEL = 'region';

/** edgeProxy: set on a Backend whose heartbeat expired; it leaves load balancing until renewed or swept. */
export const ANNOTATION_EDGE_EXPIRED = 'switchyard.dev/edge-expired';

/**
 * Facade annotations for breaker behaviour the CRD has no field for (the registry's
 * circuit_breaker: failures counted within a window, N successes in half-open to close).
 */
export const ANNOTATION_CB_FAILURE_WINDOW = 'switchyard.dev/circuit-breaker-failure-window';
export const ANNOTATION_CB_CLOSE_AFTER = 'switchyard.dev/circuit-breaker-close-after-successes';

/** registry-facade annotations: behaviour Gateway API has no field for */
export const ANNOTATION_WEBSOCKET = 'switchyard.dev/websocket';
export const ANNOTATION_RESPONSE_HEADERS = 'switchyard.dev/response-headers';
export const ANNOTATION_RETRY_IDEMPOTENT_ONLY = 'switchyard.dev/retry-idempotent-only';

/**
 * `switchyard.dev/balance: edge` (edgeProxy facade): the route's backends are balanced as ONE pool,
 * region first, then lowest active ÷ soft limit ÷ weight, never above a hard limit. Members are
 * the backendRefs' Backends plus, with `switchyard.dev/edge-app: <app>`, every edgeProxy Backend
 * labelled `app=<app>` (a label selector: no per-route list to rewrite, no 16-ref limit).
 */
export const ANNOTATION_BALANCE = 'switchyard.dev/balance';
export const BALANCE_EDGE = 'edge';
export const ANNOTATION_EDGE_APP = 'switchyard.dev/edge-app';
