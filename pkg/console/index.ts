// The web console on the apiserver's port: static files under /console/ (no token needed to load
// the page) and one authenticated, read-only JSON endpoint, GET /console/api/stats. Every object
// the console shows or edits goes through the ordinary REST API and watch streams.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import { StaticSite, defaultWebRoot } from './static';
import { buildReport, type ConsoleSource } from './stats';

export type { ConsoleSource } from './stats';
export { buildReport, emptyReport } from './stats';

export const STATS_PATH = '/console/api/stats';

export interface ConsoleOptions {
  /** late-bound: the proxy and DNS caches are set once `serve` has started them */
  source: ConsoleSource;
  /** built web files; default <repo>/web/dist or $SWITCHYARD_CONSOLE_DIR */
  webRoot?: string;
}

export interface Console {
  site: StaticSite;
  /** mount on the API app (after authentication): the stats endpoint */
  routes(app: express.Express): void;
  /** wrap the API's request handler: static console files bypass authentication */
  wrap(next: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void;
}

export function createConsole(opts: ConsoleOptions): Console {
  const site = new StaticSite(opts.webRoot ?? defaultWebRoot());
  return {
    site,
    routes(app) {
      app.get(STATS_PATH, async (req, res) => {
        const traffic = req.query.traffic !== 'false';
        await opts.source.refresh?.().catch(() => undefined);
        res.setHeader('Cache-Control', 'no-store');
        res.type('application/json').send(JSON.stringify(buildReport(opts.source, { traffic })));
      });
      app.all(STATS_PATH, (_req, res) => {
        res.status(405).setHeader('Allow', 'GET');
        res.type('application/json').send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405, message: 'the stats endpoint is read-only' }));
      });
    },
    wrap(next) {
      return (req, res) => {
        if (site.handles(req.url ?? '/')) return site.serve(req, res);
        next(req, res);
      };
    },
  };
}
