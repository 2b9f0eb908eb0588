// What every exchange shares: connection pools, the DNS resolver, the clock and the metrics sink.
import type { RuleIR } from './ir';
import type { UpstreamPools } from './upstream/pools';
import type { HostResolver } from './resolve';

export interface ProxyContext {
  pools: UpstreamPools;
  resolver: HostResolver;
  scheme: 'http' | 'https';
  now(): number;
  /** one finished request: route rule, backend, status, latency in ms */
  observe(rule: RuleIR, backend: string, status: number, ms: number): void;
}
