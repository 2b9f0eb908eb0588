// Test helpers shared by the balancer and resilience tests (not used by production code).
import type { EndpointIR, LoadBalancerIR } from '../ir';
import { createEndpointState, type EndpointConfig, type EndpointState } from './endpoint_state';
import type { PickContext } from './balancer';

/** mulberry32: a tiny seeded PRNG in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ep(id: string, weight = 1, region?: string): EndpointIR {
  const [host, port] = id.split(':');
  return { id: id.includes(':') ? id : `${id}:80`, host: host!, isIP: false, port: Number(port ?? 80), weight, region };
}

export function states(eps: EndpointIR[], cfg: EndpointConfig = {}): EndpointState[] {
  return eps.map((e) => createEndpointState(e, cfg));
}

export function lb(algorithm: LoadBalancerIR['algorithm'], extra: Partial<LoadBalancerIR> = {}): LoadBalancerIR {
  return { algorithm, slots: 10_000, ...extra };
}

export function ctx(over: Partial<PickContext> & { headers?: Record<string, string>; cookies?: Record<string, string> } = {}): PickContext {
  const headers = over.headers ?? {};
  const cookies = over.cookies ?? {};
  return {
    clientIP: over.clientIP ?? '10.0.0.1',
    path: over.path ?? '/',
    header: (n) => headers[n],
    cookie: (n) => cookies[n],
    exclude: over.exclude,
  };
}

/** Count picks by endpoint id. */
export function tally(pick: () => EndpointState | null, times: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < times; i++) {
    const s = pick();
    const k = s === null ? 'null' : s.ep.id;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
