// What a DNS cache is configured with (a Backend's dynamicProxy dnsCacheConfig, translated), and
// the part of a Backend the cache manager reads. Defined here so pkg/dns depends on nothing of the
// proxy's; the proxy's IR carries these types.

export interface DnsCacheIR {
  lookupFamily: 'auto' | 'v4_only' | 'v6_only' | 'v4_preferred' | 'all';
  refreshRateMs: number;
  minRefreshRateMs: number;
  queryTimeoutMs: number;
  hostTTLMs: number;
  maxHosts: number;
}

/** The part of a Backend the DNS cache manager needs (the proxy's BackendIR has this shape). */
export interface DnsBackend {
  dynamicProxy?: DnsCacheIR;
  endpoints: readonly { isIP: boolean }[];
}
