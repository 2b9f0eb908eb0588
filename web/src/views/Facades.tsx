// The facades as API objects: edgeProxy backends by app and region with their heartbeat age, the
// route registry's routes, and upstreams with their targets and weights. Everything comes from the
// Backends and HTTPRoutes the facades write (label switchyard.dev/facade), live from the watches;
// when the stats endpoint carries facade state (exact in-memory heartbeats) it is preferred.
import type { JSX } from 'preact';
import { fmtMs, type KObject } from '../api';
import { useInformer, useStats, useTick } from '../hooks';
import { conditionsOf } from '../informer';
import { kindOf } from '../kinds';
import { Badge, ConditionBadges, Link, Section } from '../ui/common';
import { endpointsText } from './columns';

const FACADE = 'switchyard.dev/facade';
const HEARTBEAT = 'switchyard.dev/edge-heartbeat';
const EXPIRED = 'switchyard.dev/edge-expired';
const DEFAULT_TTL_MS = 60_000;

/** GET /console/api/stats → facades.edgeproxy (pkg/console/facades.ts), when the facade runs in-process */
interface EdgeHook {
  ttlMs?: number;
  backends?: Array<{ name: string; lastHeartbeatAgoMs?: number; expiresInMs?: number; healthy?: boolean }>;
}

export function Facades(): JSX.Element {
  const backends = useInformer(kindOf('backends')!);
  const routes = useInformer(kindOf('httproutes')!);
  const now = useTick(1000);
  const { stats } = useStats(5000, false);
  const hook = ((stats?.facades as { edgeproxy?: EdgeHook } | null)?.edgeproxy ?? null) as EdgeHook | null;
  const ttl = hook?.ttlMs ?? DEFAULT_TTL_MS;
  const byFacade = (list: KObject[], f: string) => list.filter((o) => o.metadata.labels?.[FACADE] === f).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));

  const edge = byFacade(backends.list(), 'edgeproxy');
  const apps = new Map<string, Map<string, KObject[]>>();
  for (const b of edge) {
    const app = b.metadata.labels?.app ?? '(no app)';
    const region = b.metadata.labels?.region ?? '(no region)';
    if (!apps.has(app)) apps.set(app, new Map());
    const regions = apps.get(app)!;
    if (!regions.has(region)) regions.set(region, []);
    regions.get(region)!.push(b);
  }
  const registry = byFacade(routes.list(), 'registry');
  const upstreams = byFacade(backends.list(), 'upstreams');

  const heartbeat = (b: KObject): { ageMs: number | null; leftMs: number | null; windowMs: number; expired: boolean } => {
    const h = hook?.backends?.find((x) => x.name === b.metadata.name);
    if (h && h.expiresInMs !== undefined) {
      // the facade's own clock: exact heartbeats (the report is at most a few seconds old)
      return { ageMs: h.lastHeartbeatAgoMs ?? null, leftMs: h.expiresInMs, windowMs: ttl, expired: h.healthy === false || !!b.metadata.annotations?.[EXPIRED] };
    }
    const t = Date.parse(b.metadata.annotations?.[HEARTBEAT] ?? '');
    // the annotation is persisted at most once per TTL, so from it alone a backend lives up to 2 × TTL
    const ageMs = Number.isFinite(t) ? Math.max(0, now - t) : null;
    return { ageMs, leftMs: ageMs === null ? null : 2 * ttl - ageMs, windowMs: 2 * ttl, expired: !!b.metadata.annotations?.[EXPIRED] };
  };

  return (
    <div class="page">
      <header class="page-head">
        <h1>Facades</h1>
        <span class="muted small">objects labelled {FACADE}; heartbeat TTL {fmtMs(ttl)}</span>
      </header>
      <Section title={`edgeProxy backends (${edge.length})`}>
        {edge.length === 0 && <p class="muted">no edgeProxy backend registered</p>}
        {[...apps.entries()].map(([app, regions]) => (
          <div key={app} class="facade-app" data-testid={`edge-app-${app}`}>
            <h3>
              app <code>{app}</code>
            </h3>
            {[...regions.entries()].map(([region, list]) => (
              <div key={region} class="facade-region">
                <h4>region {region}</h4>
                <table class="plain">
                  <thead>
                    <tr>
                      <th>Backend</th>
                      <th>Endpoints</th>
                      <th>Heartbeat age</th>
                      <th>State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((b) => {
                      const hb = heartbeat(b);
                      const soon = hb.leftMs !== null && hb.leftMs < hb.windowMs * 0.25;
                      return (
                        <tr key={b.metadata.name} class={hb.expired ? 'row-bad' : soon ? 'row-warn' : undefined} data-testid="edge-backend">
                          <td>
                            <Link to={`/backends/${encodeURIComponent(b.metadata.name)}`}>{b.metadata.name}</Link>
                          </td>
                          <td>{endpointsText(b)}</td>
                          <td title={hb.leftMs === null ? undefined : `expires in ${fmtMs(Math.max(0, hb.leftMs))}`}>{hb.ageMs === null ? <span class="muted">unknown</span> : fmtMs(hb.ageMs)}</td>
                          <td>{hb.expired ? <Badge tone="bad">expired</Badge> : soon ? <Badge tone="warn">about to expire</Badge> : <Badge tone="ok">alive</Badge>}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            ))}
          </div>
        ))}
      </Section>
      <Section title={`Route registry routes (${registry.length})`}>
        {registry.length === 0 ? (
          <p class="muted">no registered route</p>
        ) : (
          <table class="plain">
            <thead>
              <tr>
                <th>Route</th>
                <th>Host</th>
                <th>Path</th>
                <th>Backend URL</th>
                <th>Conditions</th>
              </tr>
            </thead>
            <tbody>
              {registry.map((r) => (
                <tr key={r.metadata.name}>
                  <td>
                    <Link to={`/httproutes/${encodeURIComponent(r.metadata.name)}`}>{r.metadata.name}</Link>
                  </td>
                  <td>{r.metadata.annotations?.['switchyard.dev/registry-host'] ?? (r.spec?.hostnames ?? []).join(', ')}</td>
                  <td>{r.metadata.annotations?.['switchyard.dev/registry-path'] ?? r.spec?.rules?.[0]?.matches?.[0]?.path?.value ?? '/'}</td>
                  <td>{r.metadata.annotations?.['switchyard.dev/registry-backend'] ?? ''}</td>
                  <td>
                    <ConditionBadges conditions={conditionsOf(r)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={`Upstreams (${upstreams.length})`}>
        {upstreams.length === 0 && <p class="muted">no upstream</p>}
        {upstreams.map((u) => (
          <div key={u.metadata.name} class="facade-upstream">
            <h3>
              <Link to={`/backends/${encodeURIComponent(u.metadata.name)}`}>{u.metadata.name}</Link> <span class="muted small">{u.spec?.loadBalancer?.algorithm ?? 'round-robin'}</span>
            </h3>
            <table class="plain">
              <thead>
                <tr>
                  <th>Target</th>
                  <th>Weight</th>
                  <th>Share</th>
                </tr>
              </thead>
              <tbody>
                {(() => {
                  const eps: Array<{ fqdn?: string; ip?: string; port?: number; weight?: number }> = u.spec?.endpoints ?? [];
                  const total = eps.reduce((a, e) => a + (e.weight ?? 1), 0) || 1;
                  return eps.map((e, i) => (
                    <tr key={i}>
                      <td>
                        <code>
                          {e.fqdn ?? e.ip}
                          {e.port ? `:${e.port}` : ''}
                        </code>
                      </td>
                      <td>{e.weight ?? 1}</td>
                      <td>
                        <span class="bar inline">
                          <span class="ok" style={{ width: `${(100 * (e.weight ?? 1)) / total}%` }} />
                        </span>{' '}
                        {((100 * (e.weight ?? 1)) / total).toFixed(0)}%
                      </td>
                    </tr>
                  ));
                })()}
              </tbody>
            </table>
          </div>
        ))}
      </Section>
    </div>
  );
}
