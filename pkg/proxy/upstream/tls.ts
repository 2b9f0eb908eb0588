// Verified upstream TLS. A tls/h2 Backend's connections check the upstream's chain against the
// system trust store plus --upstream-ca-file (plus the Backend's spec.tls.caBundle) and its name
// against the endpoint's fqdn, URLRewrite's hostname or the IP dialled (spec.tls.serverName
// overrides it); spec.tls.insecureSkipVerify is the explicit opt-out. The same options serve the
// pools' connector and the upgrade path's tls.connect, so both verify alike.
import * as tls from 'node:tls';
import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import type { BackendIR, UpstreamTLSIR } from '../ir';

/** What a Backend's connections trust: one secure context per distinct caBundle, built once. */
export class UpstreamTrust {
  private readonly contexts = new Map<string, tls.SecureContext>();
  /** the system's roots and --upstream-ca-file, the base every context starts from */
  private readonly base: string[];

  constructor(extraCA: string[] = []) {
    this.base = [...tls.rootCertificates, ...extraCA];
  }

  /** the secure context trusting the base plus caBundle, or caBundle alone (cached; at most MAX_CONTEXTS distinct bundles kept) */
  secureContext(caBundle: string | undefined, only = false): tls.SecureContext {
    const k = only && caBundle ? `only\n${caBundle}` : (caBundle ?? '');
    let c = this.contexts.get(k);
    if (c === undefined) {
      if (this.contexts.size >= MAX_CONTEXTS) this.contexts.delete(this.contexts.keys().next().value!);
      c = tls.createSecureContext({ ca: only && caBundle ? [caBundle] : caBundle ? [...this.base, caBundle] : this.base });
      this.contexts.set(k, c);
    }
    return c;
  }
}

const MAX_CONTEXTS = 256;

/**
 * tls.connect options for one upstream connection. `name` is the name the request is for (the
 * endpoint's fqdn, URLRewrite's hostname, a forward-proxy request's host), undefined for an IP
 * endpoint; `address` the IP dialled. SNI is never an IP (RFC 6066 §3).
 */
export function upstreamTLSOptions(trust: UpstreamTrust, t: UpstreamTLSIR | undefined, name: string | undefined, address: string): tls.ConnectionOptions {
  const checked = t?.serverName || name || address;
  const servername = isIP(checked) === 0 ? checked : undefined;
  if (t?.insecureSkipVerify) return { servername, rejectUnauthorized: false };
  return {
    servername,
    rejectUnauthorized: true,
    secureContext: trust.secureContext(t?.caBundle, t?.caBundleOnly),
    // the name checked is ours, not the socket's host (an address from the DNS cache)
    checkServerIdentity: t?.subjectAltNames?.length ? (_host, cert) => checkSubjectAltNames(t.subjectAltNames!, cert) : (_host, cert) => tls.checkServerIdentity(checked, cert),
  };
}

/** BackendTLSPolicy subjectAltNames: the certificate must carry one of them (a DNS name by node's rules, a URI exactly) */
export function checkSubjectAltNames(names: NonNullable<UpstreamTLSIR['subjectAltNames']>, cert: tls.PeerCertificate): Error | undefined {
  const uris = (cert.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
  for (const n of names) {
    if (n.type === 'Hostname' && tls.checkServerIdentity(n.value, cert) === undefined) return undefined;
    if (n.type === 'URI' && uris.includes(n.value)) return undefined;
  }
  const err = new Error(`certificate carries none of the subjectAltNames ${names.map((n) => `${n.type}:${n.value}`).join(', ')}`) as NodeJS.ErrnoException;
  err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  return err;
}

/** upgrade.ts: the upstream's tls.connect options for a Backend (the same checks as the pools'). */
export function upgradeTLSOptions(trust: UpstreamTrust, ir: BackendIR, name: string | undefined, address: string): tls.ConnectionOptions {
  return upstreamTLSOptions(trust, ir.tls, name, address);
}

/** OpenSSL's certificate verification codes (as node reports them) and node's name check. */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isTLSVerificationError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && VERIFY_CODES.has(code);
}

/**
 * The upstream's certificate did not verify: a 502 whose reason (access log, Backend condition)
 * says why. Its own class so the exchange can tell it from a refused or reset connection.
 */
export class UpstreamTLSError extends Error {
  readonly code = 'UPSTREAM_TLS_VERIFY_FAILED';
  constructor(override readonly cause: Error, readonly checkedName: string) {
    super(`upstream TLS verification failed for ${checkedName} (${(cause as NodeJS.ErrnoException).code}): ${cause.message}`);
  }
}

/** The 502 reason for an attempt that failed before any response. */
export function upstreamFailureReason(err: Error): string {
  if (err instanceof UpstreamTLSError) return err.message;
  return `upstream connect error or disconnect/reset before headers: ${(err as NodeJS.ErrnoException).code ?? err.message}`;
}

export interface TLSVerdict {
  ok: boolean;
  message: string;
}

/**
 * The last verification outcome per Backend, kept by the proxy and read by the controller (the
 * Backend's TLSVerified condition). A verdict belongs to one TLS configuration (`profile`): a
 * changed spec.tls drops it. `onChange` fires only when a Backend's verdict changes, so a burst of
 * failed connections costs one status write.
 */
export class TLSVerdicts {
  private readonly byBackend = new Map<string, TLSVerdict & { profile: string }>();
  onChange: ((backend: string) => void) | undefined;

  record(backend: string, profile: string, ok: boolean, message: string): void {
    const old = this.byBackend.get(backend);
    if (old !== undefined && old.profile === profile && old.ok === ok && old.message === message) return;
    this.byBackend.set(backend, { ok, message, profile });
    this.onChange?.(backend);
  }

  get(backend: string): TLSVerdict | undefined {
    const v = this.byBackend.get(backend);
    return v === undefined ? undefined : { ok: v.ok, message: v.message };
  }

  /** forget Backends that are gone or whose TLS configuration changed */
  prune(backends: Record<string, BackendIR>): void {
    for (const [name, v] of this.byBackend) {
      const ir = Object.hasOwn(backends, name) ? backends[name] : undefined;
      if (ir === undefined || tlsProfile(ir).key !== v.profile) {
        this.byBackend.delete(name);
        this.onChange?.(name);
      }
    }
  }
}

/** A Backend's TLS identity in the pools: pools of different Backends (or settings) never share connections. */
export interface TLSProfile {
  key: string;
  backend: string;
  tls: UpstreamTLSIR | undefined;
}

const profiles = new WeakMap<BackendIR, TLSProfile>();

/** cached per (immutable) IR object: the pools look it up per request */
export function tlsProfile(ir: BackendIR): TLSProfile {
  let p = profiles.get(ir);
  if (p === undefined) {
    const t = ir.tls;
    const key =
      t === undefined
        ? ir.name
        : `${ir.name}|${t.serverName ?? ''}|${t.insecureSkipVerify ? 1 : 0}|${t.caBundle ? createHash('sha256').update(t.caBundle).digest('base64') : ''}|${t.caBundleOnly ? 1 : 0}|${(t.subjectAltNames ?? []).map((n) => `${n.type}:${n.value}`).join(',')}`;
    p = { key, backend: ir.name, tls: t };
    profiles.set(ir, p);
  }
  return p;
}
