// Addresses a forward proxy must never reach (SSRF): by default the link-local ranges where cloud
// metadata services live. Checked on the resolved address, so a DNS name pointing there is caught.
import { BlockList, isIP } from 'node:net';

export const DEFAULT_DENY = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32'];

/** verdicts remembered per address string (resolved addresses repeat; BlockList.check costs ~1 µs) */
const VERDICT_CACHE_MAX = 4096;

export class DenyList {
  private readonly list = new BlockList();
  private readonly verdicts = new Map<string, boolean>();
  readonly cidrs: string[];

  constructor(cidrs: string[] = DEFAULT_DENY) {
    this.cidrs = cidrs;
    for (const c of cidrs) {
      const [net, bits] = c.split('/');
      const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      if (!isIP(net)) throw new Error(`deny-list: ${c} is not an address or CIDR`);
      const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
      this.list.addSubnet(net, prefix, family);
    }
  }

  denies(address: string): boolean {
    const known = this.verdicts.get(address);
    if (known !== undefined) return known;
    const verdict = this.check(address);
    // bounded: a flood of distinct addresses only costs the uncached check
    if (this.verdicts.size >= VERDICT_CACHE_MAX) this.verdicts.clear();
    this.verdicts.set(address, verdict);
    return verdict;
  }

  private check(address: string): boolean {
    const fam = isIP(address);
    if (!fam) return false;
    // ::ffff:169.254.169.254 is the same host as 169.254.169.254
    const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (m) return this.list.check(m[1], 'ipv4');
    return this.list.check(address, fam === 6 ? 'ipv6' : 'ipv4');
  }

  static parse(spec: string | undefined): DenyList {
    if (spec === undefined || spec.trim() === '') return new DenyList();
    if (spec.trim() === 'none') return new DenyList([]);
    return new DenyList(spec.split(',').map((s) => s.trim()).filter(Boolean));
  }
}
