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
  /** the rule this runtime was built for: the same object in the next snapshot reuses it as is */
  ir: RuleIR;
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
    // the TLS twin of the default listener serves what the default listener serves
    const served = (l: string) => ids.has(l) || (l === DEFAULT_LISTENER_ID && ids.has(DEFAULT_TLS_LISTENER_ID));
    // unchanged rules and hostname groups are reused from the port's previous router (by identity)
    routers.set(port, compileRouter(snapshot.rules, (ls) => ls.some(served), previous?.routers.get(port)));
  }
  const prevRules = previous?.rules;
  const rules = new Map<string, RuleRuntime>();
  for (const r of snapshot.rules) {
    const old = prevRules?.get(r.id);
    // the same (immutable) RuleIR as before: its runtime as it is (picker, limiter, header mods)
    if (old !== undefined && old.ir === r) {
      rules.set(r.id, old);
      continue;
    }
    const rt: RuleRuntime = { ir: r, picker: createWeightedPicker(r.backendRefs, deps.rand), rand: deps.rand };
    if (r.rateLimit) {
      // keep the buckets of an unchanged limit: a snapshot swap must not hand out a fresh burst
      const same = old && old.ir.rateLimit && old.ir.rateLimit.requestsPerMinute === r.rateLimit.requestsPerMinute && old.ir.rateLimit.perClientIP === r.rateLimit.perClientIP;
      rt.limiter = same && old.limiter ? old.limiter : new RateLimiter(r.rateLimit);
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
