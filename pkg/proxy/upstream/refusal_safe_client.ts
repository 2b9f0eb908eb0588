// undici's Client for the upstream pools, with one fix: a request undici refuses on the spot (its
// Request constructor throws: a duplicate Host, an Expect, a header it will not write) makes
// Client.dispatch return false, which the Pool reads as "busy, wait for its drain event" — but an
// idle client that queued nothing never drains, so the Pool holds it as busy for good. With
// `connections` such refusals (256 requests any client can send) every client of the pool is
// held and each later request to that upstream waits in the Pool's queue forever, with no timeout
// (undici 7.x). Here a refusal that left the client idle answers "not busy", as before the call.
import { Client } from 'undici';
import type { Dispatcher } from 'undici';

export class RefusalSafeClient extends Client {
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (super.dispatch(opts, handler)) return true;
    if (this.closed || this.destroyed) return false;
    // queued (and now busy): the drain event will follow; nothing queued or running: refused
    const s = this.stats;
    return s.size === 0 && s.pending === 0;
  }
}

/** the Pool's `factory` option */
export function refusalSafeFactory(origin: string | URL, opts: object): Dispatcher {
  return new RefusalSafeClient(origin, opts as Client.Options);
}
