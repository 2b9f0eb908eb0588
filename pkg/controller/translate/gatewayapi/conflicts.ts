// Listener conflicts (Gateway API listener condition Conflicted). Our Gateways share the proxy's
// host, so listeners on one port share one socket; what that socket cannot serve conflicts:
//   ProtocolConflict  HTTP and HTTPS on the same port (a socket is TLS or not)
//   HostnameConflict  two HTTPS listeners of different Gateways on the same port with the same
//                     hostname (SNI could not tell their certificates apart); within one Gateway
//                     the CRD's CEL rule already refuses it
// The first listener wins (Gateways by creationTimestamp then namespace/name, listeners in spec
// order), as ListenerSet's precedence reads; the later ones are Conflicted=True and neither
// Accepted nor Programmed, with the same reason. Pure.
import { key, type UGateway, type UListener } from './types';

export type ConflictReason = 'ProtocolConflict' | 'HostnameConflict';

/** `<ns>/<gateway>/<listener>` → why it conflicts (with which listener) */
export function listenerConflicts(gateways: UGateway[]): Map<string, { reason: ConflictReason; message: string }> {
  const out = new Map<string, { reason: ConflictReason; message: string }>();
  const sorted = [...gateways].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || key(a).localeCompare(key(b)));
  const firstByPort = new Map<number, { id: string; protocol: string }>();
  const httpsHosts = new Map<string, { id: string; gw: string }>();
  for (const g of sorted) {
    for (const l of g.spec?.listeners ?? ([] as UListener[])) {
      if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') continue;
      const id = `${key(g)}/${l.name}`;
      const first = firstByPort.get(l.port);
      if (first && first.protocol !== l.protocol) {
        out.set(id, { reason: 'ProtocolConflict', message: `port ${l.port} is served as ${first.protocol} by listener ${first.id}` });
        continue;
      }
      if (!first) firstByPort.set(l.port, { id, protocol: l.protocol });
      if (l.protocol === 'HTTPS') {
        const hk = `${l.port}/${(l.hostname ?? '').toLowerCase()}`;
        const owner = httpsHosts.get(hk);
        if (owner && owner.gw !== key(g)) {
          out.set(id, { reason: 'HostnameConflict', message: `hostname ${l.hostname ?? '(none)'} on port ${l.port} is already served by listener ${owner.id}` });
          continue;
        }
        if (!owner) httpsHosts.set(hk, { id, gw: key(g) });
      }
    }
  }
  return out;
}
