// Small non-cryptographic hashes for the balancers: FNV-1a over UTF-16 code units, finished with
// murmur3's fmix32 avalanche so that every output bit depends on every input bit (FNV-1a alone
// spreads short keys such as IP addresses badly in its low bits).

/** murmur3 32-bit finaliser: a bijective avalanche mix of a 32-bit integer. Unsigned result. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a 32 over the string's code units, then fmix32. Unsigned 32-bit result. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
