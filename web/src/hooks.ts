// Small hooks: the router (History API under /console/), informer subscriptions, a clock tick,
// and the stats poll (the one read-only JSON endpoint; lists of objects are never polled).
import { useEffect, useState } from 'preact/hooks';
import { call } from './api';
import { informerFor, type Informer } from './informer';
import type { Kind } from './kinds';

export const BASE = '/console';

export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === '' ? '/' : p;
}

export function navigate(to: string, replace = false): void {
  const url = BASE + to;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('switchyard:navigate'));
}

export function useRoute(): { path: string; query: URLSearchParams } {
  const [, setN] = useState(0);
  useEffect(() => {
    const on = () => setN((n) => n + 1);
    window.addEventListener('popstate', on);
    window.addEventListener('switchyard:navigate', on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener('switchyard:navigate', on);
    };
  }, []);
  return { path: currentPath(), query: new URLSearchParams(location.search) };
}

/** Re-render when the informer announces changes. */
export function useInformer(kind: Kind): Informer {
  const inf = informerFor(kind);
  const [, setV] = useState(inf.version);
  useEffect(() => {
    inf.start();
    const off = inf.subscribe(() => setV(inf.version));
    setV(inf.version);
    return off;
  }, [inf]);
  return inf;
}

/** A re-render every `ms` (ages, "time left"). */
export function useTick(ms: number): number {
  const [t, setT] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setT(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return t;
}

export interface SeriesReport {
  key: string;
  start: number;
  step: number;
  requests: number[];
  errors: number[];
  p50: Array<number | null>;
  p99: Array<number | null>;
  total: { requests: number; errors: number; p50: number | null; p99: number | null };
  lastAt: number;
}

export interface EndpointReport {
  backend: string;
  id: string;
  host: string;
  port: number;
  weight: number;
  region: string | null;
  healthy: boolean;
  ejected: boolean;
  ejectedForMs: number;
  ejections: number;
  breaker: 'closed' | 'open' | 'half-open' | null;
  breakerRetryInMs: number | null;
  breakerOpens: number;
  status: 'healthy' | 'unhealthy' | 'ejected' | 'circuit-open' | 'at-limit';
  active: number;
  softLimit: number | null;
  hardLimit: number | null;
  activeHealthCheck: boolean;
  passiveHealthCheck: boolean;
  lastResult: 'success' | 'failure' | null;
  lastCheckedAgoMs: number | null;
}

export interface DnsHostReport {
  host: string;
  port: number;
  addresses: string[];
  state: string;
  ttlLeftMs: number | null;
  nextRefreshInMs: number | null;
  lastUsedAgoMs: number | null;
  failures: number;
  lastFailure: string | null;
}

export interface DnsCacheReport {
  backend: string;
  mode: 'dynamicProxy' | 'fqdn';
  config: Record<string, number | string>;
  hosts: DnsHostReport[];
  maxHosts: number;
  stats: Record<string, number>;
}

export interface StatsReport {
  proxy: boolean;
  generatedAt: string;
  resolutionMs: number;
  windowMs: number;
  generation: number;
  routes: SeriesReport[];
  backends: SeriesReport[];
  endpoints: EndpointReport[];
  dns: DnsCacheReport[];
  facades: unknown;
}

/** The live proxy figures, fetched every `ms` while a view that shows them is open. */
export function useStats(ms = 2000, traffic = true): { stats: StatsReport | null; error: string } {
  const [stats, setStats] = useState<StatsReport | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctl = new AbortController();
    const tick = async () => {
      try {
        const s = await call<StatsReport>('GET', `/console/api/stats${traffic ? '' : '?traffic=false'}`, undefined, ctl.signal);
        if (stop) return;
        setStats(s);
        setError('');
      } catch (err) {
        if (stop) return;
        setError((err as Error).message);
      }
      if (!stop) timer = setTimeout(tick, ms);
    };
    void tick();
    return () => {
      stop = true;
      ctl.abort();
      clearTimeout(timer);
    };
  }, [ms, traffic]);
  return { stats, error };
}
