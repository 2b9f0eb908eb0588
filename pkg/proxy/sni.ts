// Certificates by SNI on one TLS port: each HTTPS listener with a hostname answers for it (an exact
// name before a wildcard `*.example.com`, which covers exactly one more label), a listener without
// hostname gives the port's default certificate. Secure contexts are built once per certificate id
// (`namespace/name@resourceVersion`) and shared by every port; a new Secret version makes a new
// context that new handshakes get at once, while open connections keep theirs.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ListenerCertificateIR, ListenerIR } from './ir';

/** Secure contexts by certificate id; `retain` drops the ones no listener uses any more. */
export class SecureContextCache {
  private readonly byId = new Map<string, SecureContext>();

  get(c: ListenerCertificateIR): SecureContext {
    let ctx = this.byId.get(c.id);
    if (ctx === undefined) {
      ctx = createSecureContext({ cert: c.cert, key: c.key });
      this.byId.set(c.id, ctx);
    }
    return ctx;
  }

  retain(ids: Set<string>): void {
    for (const id of [...this.byId.keys()]) if (!ids.has(id)) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}

/** The SNI table of one port. */
export class SniTable {
  private exact = new Map<string, SecureContext>();
  private wildcard = new Map<string, SecureContext>();
  /** the id of the default certificate the port's server was given last ('' for the proxy's own) */
  defaultId = '';

  constructor(private readonly cache: SecureContextCache) {}

  /** Rebuilds the table from the port's listeners (first listener wins a name). Throws on unusable PEM. */
  update(listeners: readonly ListenerIR[]): void {
    const exact = new Map<string, SecureContext>();
    const wildcard = new Map<string, SecureContext>();
    for (const l of listeners) {
      if (!l.certificate || !l.hostname) continue;
      const h = l.hostname.toLowerCase();
      if (h.startsWith('*.')) {
        if (!wildcard.has(h.slice(2))) wildcard.set(h.slice(2), this.cache.get(l.certificate));
      } else if (!exact.has(h)) exact.set(h, this.cache.get(l.certificate));
    }
    this.exact = exact;
    this.wildcard = wildcard;
  }

  /** the context for a client's SNI name; undefined: the port's default */
  lookup(servername: string | undefined): SecureContext | undefined {
    if (!servername) return undefined;
    const n = servername.toLowerCase();
    const e = this.exact.get(n);
    if (e !== undefined) return e;
    const dot = n.indexOf('.');
    return dot > 0 ? this.wildcard.get(n.slice(dot + 1)) : undefined;
  }

  /** for tls.Server's SNICallback */
  readonly callback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    cb(null, this.lookup(servername));
  };
}

/**
 * The certificate a port presents without a matching SNI name: a hostname-less listener's, else
 * none (the caller falls back to the proxy's own certificate, then to any listener's).
 */
export function defaultCertificate(listeners: readonly ListenerIR[]): ListenerCertificateIR | undefined {
  for (const l of listeners) if (l.certificate && !l.hostname) return l.certificate;
  return undefined;
}
