// The console talks to the same REST API and watch streams as kubectl, with the bearer token the
// user typed (kept in sessionStorage: gone when the tab closes).
export interface ObjectMeta {
  name: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: Array<{ manager?: string; operation?: string; time?: string; subresource?: string }>;
  [k: string]: unknown;
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [k: string]: unknown;
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: StatusCause[]; name?: string; kind?: string };
}

const TOKEN_KEY = 'switchyard.console.token';

export const auth = {
  get token(): string {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  },
  set token(t: string) {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: Status | null,
    message: string,
  ) {
    super(message);
  }
  get causes(): StatusCause[] {
    return this.status?.details?.causes ?? [];
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...extra };
  if (auth.token) h.Authorization = `Bearer ${auth.token}`;
  return h;
}

/** One API call; non-2xx throws ApiError carrying the server's metav1.Status. */
export async function call<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const st = parsed && (parsed as Status).kind === 'Status' ? (parsed as Status) : null;
    throw new ApiError(res.status, st, st?.message ?? (text.trim() || `${res.status} ${res.statusText}`));
  }
  return parsed as T;
}

export interface Who {
  /** false: a read-only token (writes answer 403) */
  canWrite: boolean;
  /** the write probe has not answered yet (shown as read-only meanwhile) */
  checking?: boolean;
}

/**
 * Checks a token: any authenticated GET works for reading; a server-side dry-run create tells
 * whether this token may write (the API answers 403 before it validates for a read-only user).
 */
export async function whoAmI(): Promise<Who> {
  await call('GET', '/apis/core.apoxy.dev/v1alpha2/backends?limit=1');
  return probeWrite();
}

/** The dry-run write probe alone; a 401 (token not valid) is thrown. */
export async function probeWrite(): Promise<Who> {
  try {
    await call('POST', '/apis/core.apoxy.dev/v1alpha2/backends?dryRun=All', {
      apiVersion: 'core.apoxy.dev/v1alpha2',
      kind: 'Backend',
      metadata: { generateName: 'console-can-i-' },
      spec: { endpoints: [{ ip: '127.0.0.1' }] },
    });
    return { canWrite: true };
  } catch (err) {
    if (err instanceof ApiError && err.code === 401) throw err;
    if (err instanceof ApiError && err.code === 403) return { canWrite: false };
    return { canWrite: true }; // refused for another reason (validation): writes are allowed
  }
}

export const ago = (iso: string | undefined, now = Date.now()): string => {
  if (!iso) return '';
  return duration(now - Date.parse(iso));
};

/** kubectl's human duration: 45s, 5m10s, 3h, 2d4h. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return duration(ms);
}
