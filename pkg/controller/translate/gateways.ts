// Gateways → the proxy's listeners, and parentRef → listener resolution. Pure.
// A GatewayClass is ours when its controllerName is gateway.apoxy.dev/gatewayclass-controller; a
// Gateway of an unknown or foreign class opens no port.
import type { Gateway } from '../../../apis/gateway/v1/gateway_types';
import type { GatewayClass } from '../../../apis/gateway/v1/gatewayclass_types';
import type { ParentReference } from '../../../apis/gateway/v1/httproute_types';
import type { ListenerIR } from '../../proxy/ir';
import { DEFAULT_LISTENER, isGatewayParent } from './routes';
import { resolveListenerCertificate, type SecretLookup } from './certificates';

export const CONTROLLER_NAME = 'gateway.apoxy.dev/gatewayclass-controller';
export const DEFAULT_GATEWAY = 'switchyard';

export const listenerId = (gateway: string, listener: string) => `gateway/${gateway}/${listener}`;

export interface GatewayIndex {
  listeners: ListenerIR[];
  /** the listener ids a parentRef attaches to ([] when it names nothing we serve) */
  listenersFor(parent: ParentReference | undefined): string[];
  accepted(gateway: Gateway): boolean;
  /** listener id → why its certificateRef cannot be used (the listener is not served) */
  certErrors: Map<string, string>;
}

export function indexGateways(gateways: Gateway[], classes: GatewayClass[], proxyHost: string, secrets: SecretLookup = () => undefined): GatewayIndex {
  const ours = new Set(classes.filter((c) => c.spec?.controllerName === CONTROLLER_NAME).map((c) => c.metadata.name));
  const accepted = (g: Gateway) => ours.has(g.spec?.gatewayClassName ?? '');
  const byName = new Map(gateways.filter(accepted).map((g) => [g.metadata.name!, g]));
  const listeners: ListenerIR[] = [];
  const seenPorts = new Set<number>();
  const certErrors = new Map<string, string>();
  for (const g of [...byName.values()].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))) {
    for (const l of g.spec?.listeners ?? []) {
      if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') continue;
      // two listeners on one port share the socket: the first one opens it. HTTPS terminates with the
      // listener's Secret (chosen by SNI on its hostname), or the proxy's certificate when it names none
      const id = listenerId(g.metadata.name!, l.name);
      const ir: ListenerIR = { id, host: proxyHost, port: l.port };
      if (l.protocol === 'HTTPS') {
        ir.tls = true;
        if (l.hostname) ir.hostname = l.hostname.toLowerCase();
        const c = resolveListenerCertificate(l, secrets);
        if (c !== null && 'error' in c) {
          // not programmed; the port's other listeners keep serving
          certErrors.set(id, c.error);
          continue;
        }
        if (c !== null) ir.certificate = c.certificate;
      }
      listeners.push(ir);
      seenPorts.add(l.port);
    }
  }
  return {
    listeners,
    accepted,
    certErrors,
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
