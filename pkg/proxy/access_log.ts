// What the proxy logs per request. With --proxy-access-log every finished request gets one
// structured line (Envoy's access log, as JSON); without it only proxy-made failures are logged,
// at debug. Each line names the request id that the client and the upstream also saw.
import type { Logger } from '../log/logger';

export interface AccessEntry {
  requestId: string;
  method: string;
  host: string;
  path: string;
  status: number;
  durationMs: number;
  /** HTTPRoute namespace/name and rule index; '' when no route matched */
  route: string;
  backend: string;
  /** the upstream address:port of the last attempt */
  upstream?: string;
  attempts?: number;
  client: string;
  userAgent?: string;
  /** HTTP/1.1 or HTTP/2.0 (what the client spoke) */
  protocol?: string;
  /** why the proxy answered itself (no route, timeout, connect error …) */
  reason?: string;
}

export class RequestLog {
  constructor(
    private readonly log: Logger,
    /** one line for every request (--proxy-access-log) */
    readonly accessEnabled: boolean,
  ) {}

  /** Is anything to be logged for a finished request with this outcome? (cheap: no entry built) */
  wants(proxyMade: boolean): boolean {
    return this.accessEnabled || (proxyMade && this.log.isLevelEnabled('debug'));
  }

  write(e: AccessEntry): void {
    const ms = Math.round(e.durationMs * 100) / 100;
    if (this.accessEnabled) this.log.info('proxy request', { ...e, durationMs: ms });
    else if (e.reason !== undefined) this.log.debug('proxy answered with an error', { ...e, durationMs: ms });
  }
}
