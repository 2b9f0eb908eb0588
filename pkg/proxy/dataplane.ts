// A snapshot compiled for serving: one router per bound port (the union of the listener ids on
// it), backend runtimes, a weighted backendRef picker and a rate limiter per rule. Immutable once
// built; the proxy swaps the whole object, so a request keeps the one it started with.
import { DEFAULT_LISTENER_ID, DEFAULT_TLS_LISTENER_ID, type MirrorIR, type RuleIR, type Snapshot } from './ir';
import { compileCors, type CompiledCors } from './filters/cors';
import { compileRouter, type Router } from './router/compile';
import { createWeightedPicker, type WeightedPicker } from './balancer/weights';
import { RateLimiter } from './resilience/rate_limit';
import { compileHeaderMod, withoutFramingHeaders, type CompiledHeaderMod } from './filters/headers';
import { buildRuntimes, type BackendRuntime, type RuntimeDeps } from './runtime';

export interface RuleRuntime {
  picker: WeightedPicker;
  /** the picker's random source, for failover between refs */
  rand: () => number;
  limiter?: RateLimiter;
  requestMod?: CompiledHeaderMod;
  responseMod?: CompiledHeaderMod;
  /** backendRefs[i].filters' header modifiers, by ref index (absent: no ref has any) */
  refRequestMods?: Array<CompiledHeaderMod | undefined>;
  refResponseMods?: Array<CompiledHeaderMod | undefined>;
  /** RequestMirror filters, in order */
  mirrors?: MirrorIR[];
  cors?: CompiledCors;
}

export interface DataPlane {
  snapshot: Snapshot;
  routers: Map<number, Router>;
  backends: Map<string, BackendRuntime>;
  /** by rule id (routers hold per-port copies of the rules) */
  rules: Map<string, RuleRuntime>;
}

export function compileDataPlane(
  snapshot: Snapshot,
  idsByPort: Map<number, Set<string>>,
  previous: DataPlane | undefined,
  deps: RuntimeDeps,
): DataPlane {
  const routers = new Map<number, Router>();
  for (const [port, ids] of idsByPort) {
    const portId = `port:${port}`;
    // the TLS twin of the default listener serves what the default listener serves
    const served = (l: string) => ids.has(l) || (l === DEFAULT_LISTENER_ID && ids.has(DEFAULT_TLS_LISTENER_ID));
    const rules = snapshot.rules.filter((r) => r.listeners.some(served)).map((r) => ({ ...r, listeners: [portId] }));
    routers.set(port, compileRouter(rules, portId));
  }
  const prevRules = new Map<string, [RuleIR, RuleRuntime]>();
  const prevById = new Map((previous?.snapshot.rules ?? []).map((r) => [r.id, r]));
  for (const [id, rt] of previous?.rules ?? []) prevRules.set(id, [prevById.get(id)!, rt]);
  const rules = new Map<string, RuleRuntime>();
  for (const r of snapshot.rules) {
    const rt: RuleRuntime = { picker: createWeightedPicker(r.backendRefs, deps.rand), rand: deps.rand };
    if (r.rateLimit) {
      // keep the buckets of an unchanged limit: a snapshot swap must not hand out a fresh burst
      const old = prevRules.get(r.id);
      const same = old && old[0]?.rateLimit && old[0].rateLimit.requestsPerMinute === r.rateLimit.requestsPerMinute && old[0].rateLimit.perClientIP === r.rateLimit.perClientIP;
      rt.limiter = same && old[1].limiter ? old[1].limiter : new RateLimiter(r.rateLimit);
    }
    for (const f of r.filters) {
      // configuration never sets the framing (Content-Length, Transfer-Encoding, hop-by-hop)
      if (f.type === 'RequestHeaderModifier') rt.requestMod = compileHeaderMod(withoutFramingHeaders(f.mod));
      else if (f.type === 'ResponseHeaderModifier') rt.responseMod = compileHeaderMod(withoutFramingHeaders(f.mod));
      else if (f.type === 'RequestMirror') (rt.mirrors ??= []).push(f);
      else if (f.type === 'CORS') rt.cors = compileCors(f.cors);
    }
    r.backendRefs.forEach((ref, i) => {
      for (const f of ref.filters ?? []) {
        const mod = compileHeaderMod(withoutFramingHeaders(f.mod));
        if (f.type === 'RequestHeaderModifier') (rt.refRequestMods ??= new Array(r.backendRefs.length).fill(undefined))[i] = mod;
        else (rt.refResponseMods ??= new Array(r.backendRefs.length).fill(undefined))[i] = mod;
      }
    });
    rules.set(r.id, rt);
  }
  return { snapshot, routers, backends: buildRuntimes(snapshot.backends, previous?.backends ?? new Map(), deps), rules };
}
