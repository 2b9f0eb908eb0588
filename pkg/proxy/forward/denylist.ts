// Where a forward proxy (dynamicProxy: absolute-form, Host header, CONNECT) must never go (SSRF).
// Two rules, checked on the address actually dialled (after DNS, so a name pointing here is caught):
//  - a CIDR list (--forward-proxy-deny): by default loopback, unspecified, link-local, the cloud
//    metadata addresses, multicast and broadcast. `none` or an explicit list replaces it.
//  - every ip:port switchyard itself listens on (API, proxy, TLS, Gateway and facade ports; a
//    wildcard bind means that port on every local address). An explicit CIDR list keeps this rule
//    (a request proxied into our own API or listeners is never legitimate); `none` lifts it too
//    (DESIGN: `none` replaces the whole default), leaving the Via token (508) against loops.
// Addresses are compared by value, not by spelling: ::ffff:127.0.0.1, ::ffff:7f00:1,
// 0:0:0:0:0:ffff:7f00:1, ::127.0.0.1 (IPv4-compatible), ::ffff:0:127.0.0.1 and 64:ff9b::7f00:1
// (NAT64) are all 127.0.0.1. Pure apart from `localAddresses` (injected; os.networkInterfaces by default).
import { isIP } from 'node:net';
import * as os from 'node:os';

export const DEFAULT_DENY = [
  '127.0.0.0/8', '::1/128', // loopback
  '0.0.0.0/8', '::/128', // unspecified ("this host")
  '169.254.0.0/16', 'fe80::/10', // link-local (holds 169.254.169.254, the usual metadata address)
  '100.100.100.200/32', 'fd00:ec2::254/128', // the other metadata addresses (Alibaba, AWS IPv6)
  '224.0.0.0/4', 'ff00::/8', // multicast
  '255.255.255.255/32', // broadcast
];

/** An address as 16 bytes (IPv4 as ::ffff:a.b.c.d), or null when it is not an IP address. */
export function addressBytes(address: string): Uint8Array | null {
  const a = address.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  const fam = isIP(a);
  if (fam === 4) return v4Mapped(a.split('.').map(Number));
  if (fam !== 6) return null;
  let head = a;
  let tail4: number[] | null = null;
  const lastColon = a.lastIndexOf(':');
  if (a.indexOf('.', lastColon) > 0) {
    tail4 = a.slice(lastColon + 1).split('.').map(Number);
    head = `${a.slice(0, lastColon + 1)}0:0`;
  }
  const [l, r] = head.includes('::') ? head.split('::') : [head, undefined];
  const left = l ? l.split(':') : [];
  const right = r === undefined ? [] : r ? r.split(':') : [];
  const groups = r === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 255;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

function v4Mapped(q: number[]): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(q, 12);
  return out;
}

const zero = (b: Uint8Array, from: number, to: number): boolean => b.subarray(from, to).every((x) => x === 0);

/**
 * The canonical form used for every comparison: IPv4 (and IPv6 spellings that carry an IPv4
 * address: mapped, compatible, translated, NAT64 64:ff9b::/96) as ::ffff:a.b.c.d, else the 16 bytes.
 */
export function canonicalBytes(address: string): Uint8Array | null {
  const b = addressBytes(address);
  if (!b) return null;
  const tail = [b[12], b[13], b[14], b[15]];
  const mapped = zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff;
  const translated = zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12); // ::ffff:0:a.b.c.d
  const compatible = zero(b, 0, 12) && !zero(b, 12, 15); // ::a.b.c.d, but not :: or ::1
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(b, 4, 12);
  return mapped || translated || compatible || nat64 ? v4Mapped(tail) : b;
}

const key = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Cidr {
  bytes: Uint8Array;
  /** prefix length over the 16-byte form (an IPv4 /n is /96+n) */
  bits: number;
}

function parseCidr(c: string): Cidr {
  const [net, bitsText] = c.split('/');
  const fam = isIP(net);
  const bytes = fam ? canonicalBytes(net) : null;
  if (!bytes) throw new Error(`deny-list: ${c} is not an address or CIDR`);
  const isV4 = fam === 4;
  const max = isV4 ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits >= 0 && bits <= max)) throw new Error(`deny-list: ${c} has a bad prefix length`);
  return { bytes, bits: isV4 ? 96 + bits : bits };
}

function inCidr(b: Uint8Array, c: Cidr): boolean {
  const full = c.bits >> 3;
  for (let i = 0; i < full; i++) if (b[i] !== c.bytes[i]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (b[full] & mask) === (c.bytes[full] & mask);
}

export interface BoundAddress {
  host: string;
  port: number;
}

/** verdicts remembered per address:port (resolved addresses repeat); bounded */
const VERDICT_CACHE_MAX = 4096;

const LOOPBACK_V4 = canonicalBytes('127.0.0.1')!;
const ANY_V4 = canonicalBytes('0.0.0.0')!;
const ANY_V6 = canonicalBytes('::')!;

export class DenyList {
  private readonly list: Cidr[];
  private verdicts = new Map<string, boolean>();
  /** what each part of the process listens on (proxy, api, facades…), replaced per source */
  private readonly bound = new Map<string, BoundAddress[]>();
  /** ports bound on a wildcard address (0.0.0.0 / ::): that port on every local address */
  private wildcardPorts = new Set<number>();
  /** `address-hex:port` of specific binds */
  private exactBinds = new Set<string>();
  /** ports with any bind at all (the cheap first test) */
  private boundPorts = new Set<number>();
  /** the control plane's binds (CONTROL_SOURCES), which no route's static endpoint may reach either */
  private control = { wildcard: new Set<number>(), exact: new Set<string>(), ports: new Set<number>() };
  readonly cidrs: string[];
  readonly deniesLoopback: boolean;

  constructor(
    cidrs: string[] = DEFAULT_DENY,
    private readonly localAddresses: () => string[] = interfaceAddresses,
    /** deny what switchyard itself listens on (off only with `none`) */
    readonly denySelf = true,
  ) {
    this.cidrs = cidrs;
    this.list = cidrs.map(parseCidr);
    this.deniesLoopback = this.list.some((c) => inCidr(LOOPBACK_V4, c));
  }

  /** Is dialling `address` (the resolved or literal IP) on `port` refused? Non-addresses are not. */
  denies(address: string, port?: number): boolean {
    const k = port === undefined ? address : `${address}\n${port}`;
    const known = this.verdicts.get(k);
    if (known !== undefined) return known;
    const verdict = this.check(address, port);
    // bounded: a flood of distinct addresses only costs the uncached check
    if (this.verdicts.size >= VERDICT_CACHE_MAX) this.verdicts.clear();
    this.verdicts.set(k, verdict);
    return verdict;
  }

  /**
   * Is this name refused before any lookup? `localhost` and `*.localhost` are loopback
   * (RFC 6761), so they are denied whenever loopback is.
   */
  deniesName(host: string): boolean {
    if (!this.deniesLoopback) return false;
    const h = host.toLowerCase().replace(/\.$/, '');
    return h === 'localhost' || h.endsWith('.localhost');
  }

  /** Tell the list what one part of the process (`source`) listens on now; replaces that source's previous set. */
  setListening(source: string, addrs: BoundAddress[]): void {
    this.bound.set(source, addrs.map((a) => ({ host: a.host, port: a.port })));
    this.onListening?.(source);
    const all = bindSets([...this.bound.values()].flat());
    this.wildcardPorts = all.wildcard;
    this.exactBinds = all.exact;
    this.boundPorts = all.ports;
    this.control = bindSets(CONTROL_SOURCES.flatMap((s) => this.bound.get(s) ?? []));
    this.verdicts = new Map();
    this.controlVerdicts = new Map();
  }

  private controlVerdicts = new Map<string, boolean>();

  /**
   * Is `address:port` the control plane (the API server, the admin/metrics listener)? A route's
   * static endpoints (a Service's EndpointSlice, a Backend's address or FQDN) are trusted like a
   * cluster's, loopback included, but never these: a route would publish the loopback-only API on
   * a Gateway's public listener. Off with `--forward-proxy-deny none`, as the self rule.
   */
  deniesControlPlane(address: string, port: number): boolean {
    if (!this.denySelf || !this.control.ports.has(port)) return false;
    const k = `${address}\n${port}`;
    const known = this.controlVerdicts.get(k);
    if (known !== undefined) return known;
    const b = canonicalBytes(address);
    const verdict = b !== null && this.matchesBinds(b, port, this.control);
    if (this.controlVerdicts.size >= VERDICT_CACHE_MAX) this.controlVerdicts.clear();
    this.controlVerdicts.set(k, verdict);
    return verdict;
  }

  /** told after each setListening (proxy workers copy the list: workers/) */
  onListening: ((source: string) => void) | undefined;

  /** what each source listens on */
  listeningBySource(): Array<[string, BoundAddress[]]> {
    return [...this.bound];
  }

  /** every ip:port this process listens on, as told (for logs and the console) */
  listening(): BoundAddress[] {
    return [...this.bound.values()].flat();
  }

  private check(address: string, port: number | undefined): boolean {
    const b = canonicalBytes(address);
    if (!b) return false;
    if (this.list.some((c) => inCidr(b, c))) return true;
    return this.denySelf && port !== undefined && this.isSelf(b, port);
  }

  private isSelf(b: Uint8Array, port: number): boolean {
    return this.matchesBinds(b, port, { wildcard: this.wildcardPorts, exact: this.exactBinds, ports: this.boundPorts });
  }

  private matchesBinds(b: Uint8Array, port: number, binds: BindSets): boolean {
    if (!binds.ports.has(port)) return false;
    const k = key(b);
    // 0.0.0.0 and :: as a destination reach this host
    if (k === key(ANY_V4) || k === key(ANY_V6)) return true;
    if (binds.exact.has(`${k}:${port}`)) return true;
    if (!binds.wildcard.has(port)) return false;
    if (b[10] === 0xff && b[11] === 0xff && zero(b, 0, 10) && b[12] === 127) return true; // all of 127/8 is this host
    return this.localAddresses().some((a) => {
      const lb = canonicalBytes(a);
      return lb !== null && key(lb) === k;
    });
  }

  static parse(spec: string | undefined, localAddresses?: () => string[]): DenyList {
    if (spec === undefined || spec.trim() === '' || spec.trim() === 'default') return new DenyList(DEFAULT_DENY, localAddresses);
    if (spec.trim() === 'none') return new DenyList([], localAddresses, false);
    return new DenyList(spec.split(',').map((s) => s.trim()).filter(Boolean), localAddresses);
  }
}

/** the listeners of the control plane (cmd/switchyard.ts names them so) */
export const CONTROL_SOURCES = ['api', 'admin'];

interface BindSets {
  /** ports bound on a wildcard address */
  wildcard: Set<number>;
  /** `address-hex:port` of specific binds */
  exact: Set<string>;
  /** every bound port */
  ports: Set<number>;
}

function bindSets(addrs: BoundAddress[]): BindSets {
  const out: BindSets = { wildcard: new Set(), exact: new Set(), ports: new Set() };
  for (const a of addrs) {
    const b = canonicalBytes(a.host.replace(/^\[|\]$/g, ''));
    out.ports.add(a.port);
    if (!b || key(b) === key(ANY_V4) || key(b) === key(ANY_V6)) out.wildcard.add(a.port);
    else out.exact.add(`${key(b)}:${a.port}`);
  }
  return out;
}

/** every address of every local interface, plus loopback (a wildcard bind answers on all of them) */
function interfaceAddresses(): string[] {
  const out = ['127.0.0.1', '::1'];
  for (const list of Object.values(os.networkInterfaces())) for (const i of list ?? []) out.push(i.address);
  return out;
}
