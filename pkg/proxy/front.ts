// The proxy's front door, before routing: pure decisions over node's raw header lists.
// - Trusted peers (--trusted-proxies): from anyone else, X-Forwarded-Proto, X-Forwarded-Host and
//   Forwarded are overwritten with what this proxy saw (X-Forwarded-For is appended to later, and
//   X-Request-Id replaced by a fresh id: the caller decides), as Envoy at the edge
//   (use_remote_address, xff_num_trusted_hops 0).
// - Via (RFC 9110 §7.6.3): `1.1 <pseudonym>` is appended on every proxied request; a request whose
//   Via already carries this proxy's pseudonym has looped (508).
// - Absolute-form targets (RFC 9112 §3.2.2): the URI's authority replaces the Host header.
// - Header limits: more than MAX_REQUEST_HEADERS fields is a 431, never a silent drop.
import { BlockList, isIP } from 'node:net';
import { unmapIPv4 } from './filters/hop_by_hop';

/** Envoy's edge recommendation (max_headers_count 100); bytes: MAX_REQUEST_HEADER_BYTES */
export const MAX_REQUEST_HEADERS = 100;
/** Envoy's max_request_headers_kb default (60 KiB): node's maxHeaderSize on the listeners */
export const MAX_REQUEST_HEADER_BYTES = 60 * 1024;

/** CIDRs whose X-Forwarded-* / Forwarded / X-Request-Id are believed. */
export class TrustedPeers {
  private readonly list = new BlockList();
  readonly cidrs: string[];

  constructor(cidrs: string[] = []) {
    this.cidrs = cidrs;
    for (const c of cidrs) {
      const [net, bits] = c.split('/');
      const fam = isIP(net);
      if (!fam) throw new Error(`--trusted-proxies: ${c} is not an address or CIDR`);
      const max = fam === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) throw new Error(`--trusted-proxies: ${c} has a bad prefix length`);
      this.list.addSubnet(net, prefix, fam === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** "a,b" or "" / "none" (nobody) */
  static parse(spec: string | undefined): TrustedPeers {
    const s = (spec ?? '').trim();
    if (s === '' || s === 'none') return new TrustedPeers([]);
    return new TrustedPeers(s.split(',').map((x) => x.trim()).filter(Boolean));
  }

  get empty(): boolean {
    return this.cidrs.length === 0;
  }

  trusts(peer: string | undefined): boolean {
    if (this.cidrs.length === 0 || !peer) return false;
    const ip = unmapIPv4(peer);
    const fam = isIP(ip);
    if (!fam) return false;
    return this.list.check(ip, fam === 6 ? 'ipv6' : 'ipv4');
  }
}

const SPOOFABLE = new Set(['x-forwarded-proto', 'x-forwarded-host', 'forwarded']);

/**
 * Headers this proxy sets or appends to: their spellings with `_` for `-` (`X_Forwarded_For`) are
 * dropped from an untrusted peer, since CGI-style upstreams (PHP, many WSGI/Rack servers) read both
 * spellings as one variable (Envoy's edge advice: headers_with_underscores_action).
 */
const OWNED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id', 'forwarded', 'via']);

/** `X_Forwarded_For` and the like: an underscore spelling of a header this proxy owns */
function ownedAlias(name: string): boolean {
  return name.length >= 3 && name.length <= 17 && name.includes('_') && OWNED.has(name.toLowerCase().replace(/_/g, '-'));
}

/** RFC 7239 quoting of a node (IPv6 addresses are bracketed and quoted) */
function forwardedNode(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

/**
 * The raw header list of a request from an untrusted peer: X-Forwarded-Proto and X-Forwarded-Host
 * removed (the forwarding step sets them from what this proxy saw), Forwarded replaced by this
 * hop's own element, and underscore spellings of the proxy's own headers dropped. Null when the request carries none of them (the common case: no copy).
 */
export function distrustForwarded(raw: readonly string[], peer: string, proto: string, host: string | undefined): string[] | null {
  let found = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (((n.length === 9 || n.length === 16 || n.length === 17) && SPOOFABLE.has(n.toLowerCase())) || ownedAlias(n)) {
      found = true;
      break;
    }
  }
  if (!found) return null;
  const out: string[] = [];
  let hadForwarded = false;
  for (let i = 0; i < raw.length; i += 2) {
    const l = raw[i].toLowerCase();
    if (ownedAlias(l)) continue;
    if (SPOOFABLE.has(l)) {
      if (l === 'forwarded') hadForwarded = true;
      continue;
    }
    out.push(raw[i], raw[i + 1]);
  }
  if (hadForwarded) {
    let v = `for=${forwardedNode(unmapIPv4(peer))};proto=${proto}`;
    if (host) v += `;host="${host.replace(/["\\]/g, '')}"`;
    out.push('Forwarded', v);
  }
  return out;
}

/** Does a Via value list this pseudonym as a received-by (`1.1 name`, `HTTP/1.1 name (comment)`)? */
export function viaHasToken(via: string | string[] | undefined, name: string): boolean {
  if (via === undefined) return false;
  const all = Array.isArray(via) ? via.join(',') : via;
  if (!all.includes(name)) return false;
  for (const part of all.split(',')) {
    const fields = part.trim().split(/[ \t]+/);
    if (fields.length >= 2 && fields[1] === name) return true;
  }
  return false;
}

/** Appends `1.1 name` to the request's Via (the last Via field, or a new one). Mutates `raw`. */
export function appendVia(raw: string[], name: string): void {
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    const n = raw[i];
    if (n.length === 3 && n.toLowerCase() === 'via') {
      const v = raw[i + 1].trim();
      raw[i + 1] = v.length === 0 ? `1.1 ${name}` : `${v}, 1.1 ${name}`;
      return;
    }
  }
  raw.push('Via', `1.1 ${name}`);
}

/**
 * More than one Host line (RFC 9112 §3.2: the server MUST answer 400). Routing reads the first one,
 * and an upstream that reads the last would serve another host than the route chose (the Upgrade
 * path forwards the list as it is; undici refuses it, costing a pool connection before the fix in
 * upstream/refusal_safe_client.ts).
 */
export function manyHosts(raw: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === 4 && (n === 'Host' || n === 'host' || n.toLowerCase() === 'host')) {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/** Sets the Host field to `host` (the first one replaced, any other removed, or added). Mutates nothing. */
export function replaceHost(raw: readonly string[], host: string): string[] {
  const out: string[] = [];
  let set = false;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') {
      if (!set) out.push(raw[i], host);
      set = true;
      continue;
    }
    out.push(raw[i], raw[i + 1]);
  }
  if (!set) out.unshift('Host', host);
  return out;
}

/** The authority of an absolute-form target (`http://user@a.example:81/x` → `a.example:81`), or null. */
export function absoluteAuthority(url: string): string | null {
  if (url.charCodeAt(0) === 47 /* '/' */ || !/^https?:\/\//i.test(url)) return null;
  const rest = url.slice(url.indexOf('//') + 2);
  const end = rest.search(/[/?#]/);
  const authority = (end < 0 ? rest : rest.slice(0, end)).replace(/^[^@]*@/, '');
  return authority.length ? authority : null;
}

/** A pseudonym for Via: letters, digits, '.', '-', '_' only (a token, RFC 9110 §5.6.2). */
export function validViaName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,64}$/.test(name);
}
