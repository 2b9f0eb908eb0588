// The express app every facade starts from: no X-Powered-By or ETag, a request id and an access
// line per request (health checks quiet), and the facade's request metrics when a registry is given.
import express, { type Request } from 'express';
import type { Logger } from '../../log/logger';
import { accessLog } from '../../log/access_log';
import type { FacadeMetrics } from './metrics';

export function facadeApp(o: { component: string; log: Logger; metrics?: FacadeMetrics; routine?: (req: Request) => boolean }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(accessLog({ log: o.log, component: o.component, quiet: new Set(['/health']), routine: o.routine }));
  if (o.metrics) app.use(o.metrics.middleware(o.component));
  return app;
}
