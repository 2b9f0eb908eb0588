// The route's rate limit for a detached request (CONNECT, Upgrade). In one process: the rule's
// bucket, at once. In a proxy worker (--proxy-workers > 1) the bucket is the main process's: the
// client is paused, the main is asked, and `again` runs the request from the start with that
// verdict (routing again is cheap, and it keeps the synchronous path free of callbacks).
import type { Duplex } from 'node:stream';
import type { ProxyContext } from '../context';
import type { RateLimiter, RateLimitResult } from './rate_limit';

export function detachedVerdict(
  ctx: ProxyContext,
  limiter: RateLimiter,
  ruleId: string,
  clientIP: string,
  given: RateLimitResult | undefined,
  client: Duplex,
  again: (verdict: RateLimitResult) => void,
): RateLimitResult | undefined {
  if (given !== undefined) return given;
  const key = limiter.keyFor(clientIP);
  if (ctx.takeToken === undefined) return limiter.take(key, ctx.now());
  client.pause();
  ctx.takeToken(ruleId, key).then(
    (v) => {
      if (client.destroyed) return;
      client.resume();
      again(v);
    },
    () => client.destroy(),
  );
  return undefined;
}
