// What every exchange shares: connection pools, the DNS resolver, the clock and the metrics sink.
import type { RuleIR } from './ir';
import type { UpstreamPools } from './upstream/pools';
import type { HostResolver } from './resolve';
import type { DenyList } from './forward/denylist';
import type { RequestLog } from './access_log';
import type { UpstreamTimeouts } from './upstream/timeouts';
import type { RateLimitResult } from './resilience/rate_limit';

export interface ProxyContext {
  pools: UpstreamPools;
  resolver: HostResolver;
  /** what the client spoke to this listener port (X-Forwarded-Proto, redirects) */
  schemeFor(port: number): 'http' | 'https';
  /** forward-proxy destinations that are refused (cloud metadata by default) */
  deny: DenyList;
  now(): number;
  /** one finished request: route rule, backend, status, latency in ms */
  observe(rule: RuleIR, backend: string, status: number, ms: number): void;
  /** access lines (--proxy-access-log) and proxy-made failures, with the request id */
  requestLog: RequestLog;
  /** default upstream response / body and client body timeouts (a route's own timeouts win) */
  timeouts: UpstreamTimeouts;
  /** a proxy worker: takes a rate limit token from the main process's bucket (undefined: the rule's own) */
  takeToken?: (ruleId: string, key: string) => Promise<RateLimitResult>;
}
