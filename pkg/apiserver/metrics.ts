// apiserver metrics (prom-client), registered once per registry.
import client from 'prom-client';

export interface WatcherCount {
  group: string;
  resource: string;
  count: number;
}

/** `watchers`: read at scrape time (the watch caches know their watchers) */
export function apiserverMetrics(registry: client.Registry, watchers: () => WatcherCount[] = () => []) {
  return {
    requests: new client.Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.',
      labelNames: ['verb', 'group', 'resource', 'subresource', 'code'] as const,
      registers: [registry],
    }),
    latency: new client.Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb and resource (watch excluded).',
      labelNames: ['verb', 'group', 'resource'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    watchers: new client.Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resource.',
      labelNames: ['group', 'resource'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const w of watchers()) this.set({ group: w.group, resource: w.resource }, w.count);
      },
    }),
  };
}
export type ApiserverMetrics = ReturnType<typeof apiserverMetrics>;
