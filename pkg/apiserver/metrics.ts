// apiserver metrics (prom-client), registered once per registry.
import client from 'prom-client';

export interface WatcherCount {
  group: string;
  resource: string;
  count: number;
}

/** `watchers`: read at scrape time (the watch caches know their watchers) */
export function apiserverMetrics(registry: client.Registry, watchers: () => WatcherCount[] = () => []) {
  const m = {
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
  // each label set's child, found once: prom-client hashes the label object on every call otherwise
  const counted = new Map<string, client.Counter.Internal>();
  const timed = new Map<string, client.Histogram.Internal<string>>();
  return {
    ...m,
    /** one request: apiserver_request_total and, unless a watch, its latency in seconds */
    record(verb: string, group: string, resource: string, subresource: string, code: number, seconds: number | undefined): void {
      const key = `${verb}\0${group}\0${resource}`;
      const ckey = `${key}\0${subresource}\0${code}`;
      let c = counted.get(ckey);
      if (!c) counted.set(ckey, (c = m.requests.labels({ verb, group, resource, subresource, code: String(code) })));
      c.inc();
      if (seconds === undefined) return;
      let h = timed.get(key);
      if (!h) timed.set(key, (h = m.latency.labels({ verb, group, resource })));
      h.observe(seconds);
    },
  };
}
export type ApiserverMetrics = ReturnType<typeof apiserverMetrics>;
