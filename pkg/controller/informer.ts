// A client-node informer whose reconnect policy we own: client-node 1.x stops an informer for good
// on any error but 410 (an apiserver restart, a refused connection), so this restarts it after a
// short capped backoff (50 ms doubling to 5 s, reset by any event) — or the proxy stops learning.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClientNode } from '../util/esm';

export interface InformerSpec {
  /** '' for the core group (/api/v1) */
  group: string;
  version: string;
  plural: string;
  /** server-side filter (e.g. Secrets of type kubernetes.io/tls only) */
  fieldSelector?: string;
}

export interface ResilientInformer<T extends KubernetesObject> {
  list(): T[];
  get(name: string): T | undefined;
  /** has listed at least once */
  synced(): boolean;
  stop(): void;
}

export interface InformerDeps<T extends KubernetesObject = KubernetesObject> {
  /** the cache listed (first sync or a relist) */
  onChange(): void;
  /** one object added, updated (a new resourceVersion) or deleted */
  onEvent?(type: 'add' | 'update' | 'delete', obj: T): void;
  onError?(err: unknown, retryInMs: number): void;
  delay?: (ms: number) => Promise<void>;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function startInformer<T extends KubernetesObject>(
  k8s: ClientNode,
  kc: InstanceType<ClientNode['KubeConfig']>,
  spec: InformerSpec,
  deps: InformerDeps<T>,
): ResilientInformer<T> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const fs = spec.fieldSelector;
  // the core group (group ""): /api/v1/<plural>, listed through CoreV1Api
  let path = spec.group ? `/apis/${spec.group}/${spec.version}/${spec.plural}` : `/api/${spec.version}/${spec.plural}`;
  // client-node's watch URL keeps a query in the path (it only sets its own parameters on it)
  if (fs) path += `?fieldSelector=${encodeURIComponent(fs)}`;
  const listFn = spec.group
    ? () => api.listClusterCustomObject({ group: spec.group, version: spec.version, plural: spec.plural, ...(fs ? { fieldSelector: fs } : {}) }) as Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>
    : coreList<T>(k8s, kc, spec.plural, fs);
  const informer = k8s.makeInformer<T>(kc, path, listFn as never);
  const min = deps.minBackoffMs ?? 50;
  const max = deps.maxBackoffMs ?? 5000;
  const delay = deps.delay ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  let backoff = min;
  let stopped = false;
  let synced = false;
  let restarting = false;

  const on = (type: 'add' | 'update' | 'delete') => (obj: T) => {
    backoff = min;
    if (deps.onEvent) deps.onEvent(type, obj);
    else deps.onChange();
  };
  informer.on('add', on('add'));
  informer.on('update', on('update'));
  informer.on('delete', on('delete'));
  const scheduleRestart = (err: unknown) => {
    if (stopped || restarting) return;
    restarting = true;
    const wait = backoff;
    backoff = Math.min(backoff * 2, max);
    deps.onError?.(err, wait);
    void delay(wait).then(() => {
      restarting = false;
      if (!stopped) startOnce();
    });
  };
  // a failed list or an ended watch arrives here; so does a watch that could not even connect
  informer.on('error', scheduleRestart);
  const startOnce = () =>
    informer.start().then(
      () => {
        if ((informer as unknown as { latestResourceVersion(): string }).latestResourceVersion()) synced = true;
        deps.onChange();
      },
      scheduleRestart,
    );
  startOnce();
  return {
    list: () => informer.list() as T[],
    get: (name: string) => informer.get(name) as T | undefined,
    synced: () => synced,
    stop() {
      stopped = true;
      void informer.stop();
    },
  };
}

/** LIST across namespaces for the core kinds the controller reads (Services, Namespaces, Secrets, ConfigMaps). */
function coreList<T>(k8s: ClientNode, kc: InstanceType<ClientNode['KubeConfig']>, plural: string, fieldSelector?: string): () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  type L = Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  if (plural === 'secrets') return () => core.listSecretForAllNamespaces(fieldSelector ? { fieldSelector } : {}) as unknown as L;
  if (plural === 'services') return () => core.listServiceForAllNamespaces() as unknown as L;
  if (plural === 'namespaces') return () => core.listNamespace() as unknown as L;
  if (plural === 'configmaps') return () => core.listConfigMapForAllNamespaces() as unknown as L;
  throw new Error(`no core list for ${plural}`);
}
