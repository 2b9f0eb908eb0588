// Facade metrics on the process registry (served by the apiserver's /metrics): requests by facade,
// method and status code, their latency, and the edgeProxy registrations by liveness.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import client from 'prom-client';
import type { Liveness } from '../edgeproxy/liveness';

export interface FacadeMetrics {
  /** counts and times every request of one facade */
  middleware(facade: string): RequestHandler;
  /** edgeProxy registrations by state, read at scrape time */
  watchLiveness(liveness: Liveness): void;
}

export function facadeMetrics(registry: client.Registry): FacadeMetrics {
  const requests = new client.Counter({
    name: 'switchyard_facade_requests_total',
    help: 'Requests to the registration facades by facade, method and HTTP status code.',
    labelNames: ['facade', 'method', 'code'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'switchyard_facade_request_duration_seconds',
    help: 'Latency of facade requests in seconds.',
    labelNames: ['facade', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const livenessSources: Liveness[] = [];
  new client.Gauge({
    name: 'switchyard_edgeproxy_backends',
    help: 'edgeProxy-registered backends by state: healthy (heartbeat within the TTL) or expired.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      let healthy = 0;
      let expired = 0;
      for (const l of livenessSources) {
        const c = l.counts();
        healthy += c.healthy;
        expired += c.expired;
      }
      this.set({ state: 'healthy' }, healthy);
      this.set({ state: 'expired' }, expired);
    },
  });
  return {
    middleware(facade: string): RequestHandler {
      return (req: Request, res: Response, next: NextFunction) => {
        const end = duration.startTimer({ facade, method: req.method });
        res.once('close', () => {
          end();
          requests.inc({ facade, method: req.method, code: String(res.statusCode) });
        });
        next();
      };
    },
    watchLiveness(liveness: Liveness): void {
      livenessSources.push(liveness);
    },
  };
}
