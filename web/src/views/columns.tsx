// Per-kind table columns.
import type { KObject } from '../api';
import { ago } from '../api';
import { conditionsOf } from '../informer';
import type { Kind } from '../kinds';
import { ConditionBadges, Link } from '../ui/common';
import type { Column } from '../ui/VirtualTable';

export function endpointsText(o: KObject): string {
  if (o.spec?.dynamicProxy) return 'dynamicProxy';
  const eps: Array<{ fqdn?: string; ip?: string; port?: number }> = o.spec?.endpoints ?? [];
  if (eps.length === 0) return 'None';
  return eps.map((e) => `${e.fqdn ?? e.ip ?? '?'}${e.port ? `:${e.port}` : ''}`).join(', ');
}

/** The Backend names an HTTPRoute (or GRPCRoute) sends to. */
export function routeBackends(o: KObject): string[] {
  const out = new Set<string>();
  for (const r of o.spec?.rules ?? []) for (const b of r.backendRefs ?? []) if (b?.name && (b.kind ?? 'Backend') === 'Backend') out.add(b.name);
  return [...out];
}

export function columnsFor(kind: Kind, now: number): Column<KObject>[] {
  const name: Column<KObject> = {
    key: 'name',
    title: 'Name',
    width: '24%',
    render: (o) => (
      <Link to={`/${kind.plural}/${encodeURIComponent(o.metadata.name)}`} class="name">
        {o.metadata.name}
      </Link>
    ),
  };
  const conditions: Column<KObject> = { key: 'conditions', title: 'Conditions', width: '22%', render: (o) => <ConditionBadges conditions={conditionsOf(o)} /> };
  const age: Column<KObject> = { key: 'age', title: 'Age', width: '7%', render: (o) => <span title={o.metadata.creationTimestamp}>{ago(o.metadata.creationTimestamp, now)}</span> };
  const labels: Column<KObject> = {
    key: 'labels',
    title: 'Labels',
    render: (o) => {
      const l = Object.entries(o.metadata.labels ?? {});
      return <span class="muted small" title={l.map(([k, v]) => `${k}=${v}`).join('\n')}>{l.map(([k, v]) => `${k}=${v}`).join(', ')}</span>;
    },
  };
  switch (kind.plural) {
    case 'backends':
      return [
        name,
        { key: 'endpoints', title: 'Endpoints', width: '22%', render: (o) => <span title={endpointsText(o)}>{endpointsText(o)}</span> },
        { key: 'protocol', title: 'Protocol', width: '8%', render: (o) => o.spec?.protocol || 'http' },
        conditions,
        labels,
        age,
      ];
    case 'httproutes':
    case 'grpcroutes':
      return [
        name,
        { key: 'hostnames', title: 'Hostnames', width: '18%', render: (o) => (o.spec?.hostnames ?? []).join(', ') || '*' },
        {
          key: 'backends',
          title: 'Backends',
          width: '18%',
          render: (o) => {
            const b = routeBackends(o);
            const app = o.metadata.annotations?.['switchyard.dev/edge-app'];
            return (b.join(', ') || '—') + (app ? ` + app=${app}` : '');
          },
        },
        conditions,
        labels,
        age,
      ];
    case 'gateways':
      return [
        name,
        { key: 'class', title: 'Class', width: '12%', render: (o) => o.spec?.gatewayClassName ?? '' },
        {
          key: 'listeners',
          title: 'Listeners',
          width: '24%',
          render: (o) => (o.spec?.listeners ?? []).map((l: { name: string; port: number; protocol: string }) => `${l.name} ${l.protocol}/${l.port}`).join(', '),
        },
        conditions,
        labels,
        age,
      ];
    default:
      return [name, { key: 'provider', title: 'Provider', width: '14%', render: (o) => o.spec?.provider ?? 'cloud' }, conditions, labels, age];
  }
}
