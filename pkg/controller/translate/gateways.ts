// Gateways → the proxy's listeners, and parentRef → listener resolution. Pure.
// A GatewayClass is ours when its controllerName is gateway.apoxy.dev/gatewayclass-controller; a
// Gateway of an unknown or foreign class opens no port.
import type { Gateway } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';
import type { ParentReference } from '../../../apis/gateway/v1/httproute_types';
import type { ListenerIR } from '../../proxy/ir';
import { DEFAULT_LISTENER, isGatewayParent } from './routes';

export const CONTROLLER_NAME = 'gateway.apoxy.dev/gatewayclass-controller';
export const DEFAULT_GATEWAY = 'switchyard';

export const listenerId = (gateway: string, listener: string) => `gateway/${gateway}/${listener}`;

export interface GatewayIndex {
  listeners: ListenerIR[];
  /** the listener ids a parentRef attaches to ([] when it names nothing we serve) */
  listenersFor(parent: ParentReference | undefined): string[];
  accepted(gateway: Gateway): boolean;
}

export function indexGateways(gateways: Gateway[], classes: GatewayClass[], proxyHost: string): GatewayIndex {
  const ours = new Set(classes.filter((c) => c.spec?.controllerName === CONTROLLER_NAME).map((c) => c.metadata.name));
  const accepted = (g: Gateway) => ours.has(g.spec?.gatewayClassName ?? '');
  const byName = new Map(gateways.filter(accepted).map((g) => [g.metadata.name!, g]));
  const listeners: ListenerIR[] = [];
  const seenPorts = new Set<number>();
  for (const g of [...byName.values()].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))) {
    for (const l of g.spec?.listeners ?? []) {
      if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') continue;
      // two listeners on one port share the socket: the first one opens it
      // HTTPS terminates with the proxy's certificate (Secrets named by certificateRefs are not served)
      listeners.push({ id: listenerId(g.metadata.name!, l.name), host: proxyHost, port: l.port, ...(l.protocol === 'HTTPS' ? { tls: true } : {}) });
      seenPorts.add(l.port);
    }
  }
  return {
    listeners,
    accepted,
    listenersFor(parent) {
      if (!parent) return [DEFAULT_LISTENER];
      if (!isGatewayParent(parent)) return [];
      const g = byName.get(parent.name);
      if (!g) return parent.name === DEFAULT_GATEWAY ? [DEFAULT_LISTENER] : [];
      return (g.spec?.listeners ?? [])
        .filter((l) => (l.protocol === 'HTTP' || l.protocol === 'HTTPS') && (!parent.sectionName || l.name === parent.sectionName) && (!parent.port || l.port === parent.port))
        .map((l) => listenerId(g.metadata.name!, l.name));
    },
  };
}
