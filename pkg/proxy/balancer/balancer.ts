// Endpoint selection for one Backend. Built once per endpoint set (snapshot change); pick() runs per
// request and allocates nothing: typed arrays sized at construction, indexed loops, state in place.
//
// Candidates, for every algorithm, in this order:
//   1. available endpoints (healthy, not ejected, breaker allows, below the hard limit) with weight > 0;
//   2. without `ctx.exclude` (the endpoint a retry is moving away from), unless it is the only one;
//   3. when `preferRegion` is set: those in that region if any (edgeProxy: own region first, as the
//      original's region score dominates its load score);
//   4. those below their soft limit if any (above it an endpoint is used only when nothing below is).
// No candidate → null (the data plane answers 503).
//
// Algorithms over the candidates:
//   round-robin        nginx's smooth weighted round-robin: deterministic, interleaved, exact
//                      proportions over each cycle (3:1 → a a b a).
//   least-connections  lowest active/weight; ties go to smooth weighted round-robin among the tied,
//                      so idle endpoints share by weight instead of the first one taking everything.
//   loadAware          (edgeProxy) lowest active/softLimit/weight (softLimit default 100), ties as above.
//   random             weighted random with the injected rand().
//   consistent-hash    a table of `slots` entries (default 10000) filled once per endpoint set by
//                      weighted rendezvous hashing (HRW): slot s belongs to the endpoint maximising
//                      weight / -ln(u(s, endpoint)). Removing an endpoint moves only the slots it owned;
//                      every other key stays exactly where it was. A key's slot is hash(key) mod slots.
//                      When the slot's endpoint is not a candidate, the key goes to the highest-ranked
//                      candidate for that slot (the next endpoint in its HRW order: consistent for
//                      the key, and where the table would send it if the owner left). The key comes
//                      from hashOn: ip → ctx.clientIP, header/cookie → ctx.header/cookie(hashKey),
//                      path → ctx.path. No hashOn, or a request without the key → round-robin.
import type { LoadBalancerIR } from '../ir';
import { available, DEFAULT_SOFT_LIMIT, type EndpointState } from './endpoint_state';
import { fmix32, hashString } from './hash';

export interface PickContext {
  clientIP: string;
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  path: string;
  /** the endpoint that just failed, for retries */
  exclude?: EndpointState;
}

export interface Balancer {
  pick(ctx: PickContext): EndpointState | null;
  /**
   * Session persistence, whatever the algorithm: among the candidates (the same filter as pick),
   * the one ranked first for `key` by weighted rendezvous hashing (HRW) over the endpoint ids.
   * A key keeps its endpoint while that endpoint is a candidate, and moves only when it is not.
   */
  pickByKey(key: string, exclude?: EndpointState): EndpointState | null;
  /** the endpoint set this balancer was built for */
  readonly states: readonly EndpointState[];
}

export interface BalancerDeps {
  now: () => number;
  rand: () => number;
}

export const DEFAULT_SLOTS = 10_000;

// flag bits per endpoint, recomputed by filter() on each pick
const AVAIL = 1;
const SOFT = 2;
const NOTEX = 4;
const REGION = 8;
const TIE = 16;
/** filter(): only the excluded endpoint is available */
const ONLY_EXCLUDED = -1;

abstract class BaseBalancer implements Balancer {
  readonly states: readonly EndpointState[];
  protected readonly n: number;
  /** weight; 0 → never picked */
  protected readonly w: Float64Array;
  /** smooth WRR current weights */
  protected readonly cur: Float64Array;
  protected readonly flags: Uint8Array;
  /** REGION for endpoints in preferRegion, else 0 */
  private readonly region: Uint8Array;
  private readonly useRegion: boolean;
  protected readonly now: () => number;

  constructor(lb: LoadBalancerIR, states: readonly EndpointState[], deps: BalancerDeps) {
    const n = states.length;
    this.states = states;
    this.n = n;
    this.w = new Float64Array(n);
    this.cur = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.region = new Uint8Array(n);
    this.now = deps.now;
    const pr = lb.preferRegion;
    let any = false;
    for (let i = 0; i < n; i++) {
      const ep = states[i]!.ep;
      this.w[i] = ep.weight > 0 && Number.isFinite(ep.weight) ? ep.weight : 0;
      if (pr !== undefined && pr !== '' && ep.region === pr) {
        this.region[i] = REGION;
        any = true;
      }
    }
    this.useRegion = any;
  }

  abstract pick(ctx: PickContext): EndpointState | null;

  /** hashString(ep.id) per endpoint, computed on the first pickByKey */
  private idHash: Uint32Array | null = null;

  pickByKey(key: string, exclude?: EndpointState): EndpointState | null {
    const m = this.filter(exclude);
    if (m <= 0) return m === ONLY_EXCLUDED ? exclude! : null;
    let ids = this.idHash;
    if (ids === null) {
      ids = new Uint32Array(this.n);
      for (let i = 0; i < this.n; i++) ids[i] = hashString(this.states[i]!.ep.id);
      this.idHash = ids;
    }
    const k = hashString(key);
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < this.n; i++) {
      if ((this.flags[i]! & m) !== m) continue;
      const u = (fmix32(ids[i]! ^ k) + 0.5) / 4294967296;
      const score = this.w[i]! / -Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best < 0 ? null : this.states[best]!;
  }

  /**
   * Sets flags[] and returns the mask a candidate's flags must contain; 0: no candidate;
   * ONLY_EXCLUDED: the excluded endpoint is the only available one.
   */
  protected filter(exclude: EndpointState | undefined): number {
    const states = this.states;
    const w = this.w;
    const flags = this.flags;
    const region = this.region;
    const now = this.now();
    let cA = 0;
    let cAS = 0;
    let cAR = 0;
    let cARS = 0;
    let xf = 0;
    for (let i = 0; i < this.n; i++) {
      const s = states[i]!;
      let f = 0;
      if (w[i]! > 0 && available(s, now)) {
        f = AVAIL | (s.active < s.softLimit ? SOFT : 0) | region[i]!;
        if (s === exclude) {
          xf = f;
        } else {
          f |= NOTEX;
          cA++;
          if (f & SOFT) cAS++;
          if (f & REGION) {
            cAR++;
            if (f & SOFT) cARS++;
          }
        }
      }
      flags[i] = f;
    }
    if (cA > 0) {
      if (this.useRegion && cAR > 0) return AVAIL | NOTEX | REGION | (cARS > 0 ? SOFT : 0);
      return AVAIL | NOTEX | (cAS > 0 ? SOFT : 0);
    }
    return xf !== 0 ? ONLY_EXCLUDED : 0;
  }

  /** Smooth weighted round-robin over endpoints whose flags contain `m`. Index or -1. */
  protected wrr(m: number): number {
    const flags = this.flags;
    const w = this.w;
    const cur = this.cur;
    let best = -1;
    let bestCur = -Infinity;
    let total = 0;
    for (let i = 0; i < this.n; i++) {
      if ((flags[i]! & m) !== m) continue;
      const wi = w[i]!;
      const c = cur[i]! + wi;
      cur[i] = c;
      total += wi;
      if (c > bestCur) {
        bestCur = c;
        best = i;
      }
    }
    if (best >= 0) cur[best] = bestCur - total;
    return best;
  }
}

class RoundRobin extends BaseBalancer {
  pick(ctx: PickContext): EndpointState | null {
    const m = this.filter(ctx.exclude);
    if (m <= 0) return m === ONLY_EXCLUDED ? ctx.exclude! : null;
    return this.states[this.wrr(m)]!;
  }
}

/** Lowest active/divisor[i]; divisor = weight (least-connections) or softLimit·weight (loadAware). */
class LeastLoad extends BaseBalancer {
  private readonly div: Float64Array;

  constructor(lb: LoadBalancerIR, states: readonly EndpointState[], deps: BalancerDeps, loadAware: boolean) {
    super(lb, states, deps);
    this.div = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const soft = states[i]!.softLimit;
      this.div[i] = loadAware ? this.w[i]! * (soft === Infinity ? DEFAULT_SOFT_LIMIT : soft) : this.w[i]!;
    }
  }

  pick(ctx: PickContext): EndpointState | null {
    const m = this.filter(ctx.exclude);
    if (m <= 0) return m === ONLY_EXCLUDED ? ctx.exclude! : null;
    const states = this.states;
    const flags = this.flags;
    const div = this.div;
    const n = this.n;
    // Compare a/d by cross-multiplying (exact for integer counts and weights).
    let ma = -1;
    let md = 1;
    let ties = 0;
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & m) !== m) continue;
      const a = states[i]!.active;
      const d = div[i]!;
      if (ma < 0 || a * md < ma * d) {
        ma = a;
        md = d;
        ties = 1;
      } else if (a * md === ma * d) {
        ties++;
      }
    }
    if (ties > 1) {
      for (let i = 0; i < n; i++) {
        if ((flags[i]! & m) === m && states[i]!.active * md === ma * div[i]!) flags[i] = flags[i]! | TIE;
      }
      return states[this.wrr(m | TIE)]!;
    }
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & m) === m && states[i]!.active * md === ma * div[i]!) return states[i]!;
    }
    return null; // unreachable
  }
}

class WeightedRandom extends BaseBalancer {
  private readonly rand: () => number;

  constructor(lb: LoadBalancerIR, states: readonly EndpointState[], deps: BalancerDeps) {
    super(lb, states, deps);
    this.rand = deps.rand;
  }

  pick(ctx: PickContext): EndpointState | null {
    const m = this.filter(ctx.exclude);
    if (m <= 0) return m === ONLY_EXCLUDED ? ctx.exclude! : null;
    const flags = this.flags;
    const w = this.w;
    const n = this.n;
    let total = 0;
    let last = -1;
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & m) === m) {
        total += w[i]!;
        last = i;
      }
    }
    let r = this.rand() * total;
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & m) !== m) continue;
      r -= w[i]!;
      if (r < 0) return this.states[i]!;
    }
    return this.states[last]!; // rand() ≈ 1 and rounding
  }
}

const TWO_32 = 4294967296;
const GOLDEN = 0x9e3779b1;

class ConsistentHash extends BaseBalancer {
  private readonly slots: number;
  /** slot → endpoint index (-1: no endpoint with weight > 0) */
  readonly table: Int32Array;
  /** per-endpoint hash of its id */
  private readonly seed: Uint32Array;
  private readonly equalWeights: boolean;
  private readonly keyOf: (ctx: PickContext) => string | undefined;

  constructor(lb: LoadBalancerIR, states: readonly EndpointState[], deps: BalancerDeps) {
    super(lb, states, deps);
    const n = this.n;
    this.slots = lb.slots > 0 ? Math.floor(lb.slots) : DEFAULT_SLOTS;
    this.seed = new Uint32Array(n);
    let w0 = 0;
    let equal = true;
    for (let i = 0; i < n; i++) {
      this.seed[i] = hashString(states[i]!.ep.id);
      const wi = this.w[i]!;
      if (wi > 0) {
        if (w0 === 0) w0 = wi;
        else if (wi !== w0) equal = false;
      }
    }
    this.equalWeights = equal;
    this.keyOf = keyFunction(lb);
    const table = new Int32Array(this.slots);
    for (let s = 0; s < this.slots; s++) table[s] = this.best(s, 0);
    this.table = table;
  }

  /** HRW: the endpoint with the highest score for `slot` among those whose flags contain `m` (0: all with weight > 0). */
  private best(slot: number, m: number): number {
    const w = this.w;
    const seed = this.seed;
    const flags = this.flags;
    const sm = fmix32(Math.imul(slot + 1, GOLDEN));
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const wi = w[i]!;
      if (wi <= 0 || (m !== 0 && (flags[i]! & m) !== m)) continue;
      const h = fmix32(seed[i]! ^ sm);
      // Equal weights: the largest hash wins. Otherwise weight / -ln(u), u uniform in (0, 1).
      const score = this.equalWeights ? h : wi / -Math.log((h + 0.5) / TWO_32);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  /** The slot a key lands on. */
  slotOf(key: string): number {
    return hashString(key) % this.slots;
  }

  pick(ctx: PickContext): EndpointState | null {
    const m = this.filter(ctx.exclude);
    if (m <= 0) return m === ONLY_EXCLUDED ? ctx.exclude! : null;
    const key = this.keyOf(ctx);
    if (key === undefined) return this.states[this.wrr(m)]!;
    const slot = hashString(key) % this.slots;
    const i = this.table[slot]!;
    if (i >= 0 && (this.flags[i]! & m) === m) return this.states[i]!;
    return this.states[this.best(slot, m)]!;
  }
}

function keyFunction(lb: LoadBalancerIR): (ctx: PickContext) => string | undefined {
  const k = lb.hashKey ?? '';
  switch (lb.hashOn) {
    case 'ip':
      return (ctx) => ctx.clientIP;
    case 'header':
      return k === '' ? noKey : (ctx) => ctx.header(k);
    case 'cookie':
      return k === '' ? noKey : (ctx) => ctx.cookie(k);
    case 'path':
      return (ctx) => ctx.path;
    default:
      return noKey;
  }
}

const noKey = (): undefined => undefined;

export function createBalancer(
  lb: LoadBalancerIR,
  states: readonly EndpointState[],
  deps: BalancerDeps,
): Balancer {
  if (lb.loadAware) return new LeastLoad(lb, states, deps, true);
  switch (lb.algorithm) {
    case 'least-connections':
      return new LeastLoad(lb, states, deps, false);
    case 'random':
      return new WeightedRandom(lb, states, deps);
    case 'consistent-hash':
      return new ConsistentHash(lb, states, deps);
    default:
      return new RoundRobin(lb, states, deps);
  }
}
