// The snapshot the proxy benches serve: one catch-all route to one static upstream, on the default
// listener and on any extra listeners given (the edge bench's TLS listeners).
import type { ListenerIR, Snapshot } from '../../pkg/proxy/ir';

export function oneRouteSnapshot(upstream: string, listeners: ListenerIR[] = []): Snapshot {
  const [upHost, upPort] = upstream.split(':');
  return {
    generation: 1,
    listeners,
    backends: {
      up: {
        name: 'up',
        protocol: '',
        defaultPort: 80,
        endpoints: [{ id: `${upHost}:${upPort}`, host: upHost, isIP: true, port: Number(upPort), weight: 1 }],
        loadBalancer: { algorithm: 'round-robin', slots: 10_000 },
      },
    },
    rules: [
      {
        id: 'route/bench/rule/0',
        route: 'bench',
        routeCreated: '2024-01-01T00:00:00Z',
        ruleIndex: 0,
        hostnames: [],
        listeners: ['default', ...listeners.map((l) => l.id)],
        matches: [],
        filters: [],
        backendRefs: [{ backend: 'up', weight: 1 }],
        timeouts: {},
        websocket: true,
      },
    ],
  };
}
