// RequestMirror: fire-and-forget copies of a request to other Backends. The copy's answer is read
// and dropped; nothing about it (slowness, failure, refusal) reaches the main request, which never
// waits for it.
//
// Bounds (a mirror must never cost the main traffic memory or sockets without limit):
//   - the request body is teed, not buffered for the main request: the main upstream reads the
//     client's body as it always does, and the tee keeps a copy of at most MIRROR_BODY_LIMIT bytes
//     (256 KiB). A larger body is not mirrored at all (a truncated copy would be a different
//     request). The copy is sent once the client's body has ended; a body the client abandons is
//     not mirrored. All tees of a process hold at most MIRROR_TEE_BUDGET (64 MiB) together; a
//     request that would take more is not mirrored. The tee starts with the main attempt's first byte upstream, so a bodied request
//     whose main attempt never reaches an upstream (503, connect failure) is not mirrored;
//   - at most MAX_MIRRORS_IN_FLIGHT copies per process are outstanding; past it copies are dropped;
//   - a copy is aborted after MIRROR_TIMEOUT_MS (or the rule's request timeout when shorter).
// Each mirror fires for `numerator/denominator` of requests (percent / fraction), drawn per
// mirror with the rule's random source. The copy carries the headers the main request goes
// upstream with after the rule's RequestHeaderModifier and URLRewrite (hostname and path), as
// Envoy's shadow does. Endpoints are picked by the mirror Backend's balancer; a forward-proxy
// (dynamicProxy) mirror Backend resolves the request's own host through the deny-list, as
// forwarding does. Copies do not count toward the mirror endpoints' health or breakers.
import type { IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import type { MirrorIR, RuleIR } from './ir';
import type { ProxyContext } from './context';
import type { BackendRuntime } from './runtime';
import type { PickContext } from './balancer/balancer';
import { forwardTarget } from './forward/target';
import { headersTimeoutFor } from './upstream/timeouts';
import { withoutHeader } from './upstream/attempt_error';

export const MIRROR_BODY_LIMIT = 256 * 1024;
export const MAX_MIRRORS_IN_FLIGHT = 512;
export const MIRROR_TIMEOUT_MS = 30_000;
/**
 * Bytes all tees of a process may hold at once: each keeps up to MIRROR_BODY_LIMIT while its
 * client uploads, so without a bound N slow uploads held N × 256 KiB (the in-flight cap counts
 * copies sent, not bodies being teed). Past it a request is not mirrored.
 */
export const MIRROR_TEE_BUDGET = 64 * 1024 * 1024;

/** what the tees of a process hold (tests pass their own) */
export interface TeeBudget {
  held: number;
  readonly max: number;
}
const processTees: TeeBudget = { held: 0, max: MIRROR_TEE_BUDGET };
/** bytes held by this process's tees (tests, metrics) */
export const mirrorTeeBytes = (): number => processTees.held;

let inFlight = 0;
/** copies outstanding in this process (tests, metrics) */
export const mirrorsInFlight = (): number => inFlight;

/** The mirrors that fire for this request (each drawn on its own). */
export function sampleMirrors(mirrors: readonly MirrorIR[], rand: () => number): MirrorIR[] {
  const out: MirrorIR[] = [];
  for (const m of mirrors) {
    const f = m.fraction;
    if (f === undefined || (f.denominator > 0 && rand() * f.denominator < f.numerator)) out.push(m);
  }
  return out;
}

/**
 * Keeps a copy of a request body up to `limit` bytes; calls done(body) once the body ended within
 * the limit, done(false) when it grew past it or the request broke off. Listening on 'data' only from
 * the moment the main upstream reads the body (the caller's job), so no chunk is taken from it.
 */
export function teeBody(req: IncomingMessage, limit: number, done: (body: Buffer | false) => void, budget: TeeBudget = processTees): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const finish = (body: Buffer | false) => {
    if (settled) return;
    settled = true;
    budget.held -= size;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    chunks.length = 0;
    done(body);
  };
  const onData = (chunk: Buffer) => {
    if (size + chunk.length > limit || budget.held + chunk.length > budget.max) return finish(false);
    size += chunk.length;
    budget.held += chunk.length;
    chunks.push(chunk);
  };
  const onEnd = () => finish(Buffer.concat(chunks, size));
  const onClose = () => finish(req.complete ? Buffer.concat(chunks, size) : false);
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onClose);
}

/** A copy's headers from the main request's upstream headers: without Content-Length (the copy's buffer sets its own) and Expect */
export function mirrorHeaders(upstream: string[]): string[] {
  const h = withoutHeader(withoutHeader(upstream, 'content-length'), 'expect');
  return h === upstream ? h.slice() : h;
}

export interface MirrorCopy {
  method: string;
  /** path?query as sent upstream */
  target: string;
  /** flat [name, value, …] (mirrorHeaders) */
  headers: string[];
  /** SNI / TLS name override (URLRewrite hostname) */
  servername?: string;
  /** the request's URL and Host (a forward-proxy mirror's target) */
  url: string;
  hostHeader: string | undefined;
}

/** Drops the answer; releases the in-flight slot exactly once. */
class MirrorHandler implements Dispatcher.DispatchHandler {
  private done = false;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => {
      const c = this.controller;
      if (c && !c.aborted) c.abort(new Error('mirror timeout'));
      this.finish();
    }, timeoutMs);
    this.timer.unref();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    inFlight--;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(new Error('mirror timeout'));
  }
  onResponseStart(): void {}
  onResponseData(): void {}
  onResponseEnd(): void {
    this.finish();
  }
  onResponseError(): void {
    this.finish();
  }
}

/**
 * Sends one copy to `mirror`'s Backend. Never throws; whatever happens is the copy's alone.
 * Returns false when the copy was not sent (no such Backend, no endpoint, over the in-flight cap).
 */
export function sendMirror(ctx: ProxyContext, backends: Map<string, BackendRuntime>, rule: RuleIR, mirror: MirrorIR, copy: MirrorCopy, body: Buffer | null, pick: PickContext): boolean {
  try {
    const runtime = backends.get(mirror.backend);
    if (!runtime || inFlight >= MAX_MIRRORS_IN_FLIGHT) return false;
    let host: string;
    let port: number;
    let isIP = false;
    if (runtime.ir.dynamicProxy) {
      const t = forwardTarget(copy.url, copy.hostHeader, runtime.ir.defaultPort);
      if (!t || ctx.deny.deniesName(t.host)) return false;
      host = t.host;
      port = t.port;
    } else {
      const state = runtime.balancer.pick(pick);
      if (!state) return false;
      host = state.ep.host;
      isIP = state.ep.isIP;
      port = state.ep.port || mirror.port || runtime.ir.defaultPort;
    }
    inFlight++;
    const rt = rule.timeouts.requestMs;
    const handler = new MirrorHandler(rt && rt > 0 ? Math.min(rt, MIRROR_TIMEOUT_MS) : MIRROR_TIMEOUT_MS);
    const go = (addrs: readonly string[]) => {
      try {
        dispatchCopy(addrs);
      } catch {
        handler.onResponseError();
      }
    };
    const dispatchCopy = (addrs: readonly string[]) => {
      const allowed = runtime.ir.dynamicProxy ? addrs.filter((a) => !ctx.deny.denies(a, port)) : addrs.filter((a) => !ctx.deny.deniesControlPlane(a, port));
      if (allowed.length === 0) return handler.onResponseError();
      const servername = copy.servername ?? host;
      const pool = ctx.pools.poolFor(runtime.ir.protocol, allowed[0]!, port, servername, runtime.ir);
      pool.dispatch(
        {
          origin: undefined as unknown as string,
          path: copy.target,
          method: copy.method as Dispatcher.HttpMethod,
          headers: copy.headers,
          body,
          servername,
          headersTimeout: headersTimeoutFor(rule, ctx.timeouts),
        } as Dispatcher.DispatchOptions,
        handler,
      );
    };
    if (isIP) {
      go([host]);
      return true;
    }
    const addrs = ctx.resolver.resolve(mirror.backend, host, port);
    if (Array.isArray(addrs)) go(addrs);
    else addrs.then(go, () => handler.onResponseError());
    return true;
  } catch {
    return false;
  }
}
