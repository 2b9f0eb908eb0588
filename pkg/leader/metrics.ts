// Leader-election metrics, named as client-go's (leader_election_master_status): 1 while this
// process leads the named lease, 0 while it stands by. One gauge per registry, any number of leases.
import client from 'prom-client';
import type { LeaderElector } from './elector';

const byRegistry = new WeakMap<client.Registry, { electors: Set<LeaderElector>; transitions: client.Counter<'name'> }>();

export function registerLeaderMetrics(registry: client.Registry, elector: LeaderElector): () => void {
  let m = byRegistry.get(registry);
  if (!m) {
    const electors = new Set<LeaderElector>();
    new client.Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease.',
      labelNames: ['name'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const e of electors) this.set({ name: e.leaseName }, e.isLeader() ? 1 : 0);
      },
    });
    const transitions = new client.Counter({
      name: 'switchyard_leader_election_acquired_total',
      help: 'Times this process became the leader of the named lease.',
      labelNames: ['name'] as const,
      registers: [registry],
    });
    m = { electors, transitions };
    byRegistry.set(registry, m);
  }
  m.electors.add(elector);
  const mm = m;
  return () => mm.electors.delete(elector);
}

export function countAcquired(registry: client.Registry | undefined, name: string): void {
  if (registry) byRegistry.get(registry)?.transitions.inc({ name });
}
