// Gateway spec.addresses → status.addresses and the conditions they call for. Every Gateway of ours
// is served on the proxy's listen host, so a requested address is honoured only when the proxy
// already answers on it: the listen host itself, or (listening on a wildcard) an address of this
// machine. Upstream reasons:
//   a type other than IPAddress / Hostname            Accepted=False  UnsupportedAddress
//   an address the proxy does not answer on           Programmed=False AddressNotAssigned
//   an IPAddress without a value                      assigned: the proxy's address
// status.addresses are typed (IPAddress / Hostname). Pure: the machine's addresses are an input.
import { isIP } from 'node:net';

export interface TypedAddress {
  type: 'IPAddress' | 'Hostname';
  value: string;
}

export interface AddressVerdict {
  addresses: TypedAddress[];
  unsupported?: string;
  notAssigned?: string;
}

/** the address clients reach a listener on: the proxy's listen host, a wildcard host as loopback */
export function gatewayAddress(proxyHost: string): TypedAddress {
  const h = proxyHost.replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0' || h === '') return { type: 'IPAddress', value: '127.0.0.1' };
  if (h === '::') return { type: 'IPAddress', value: '::1' };
  return isIP(h) ? { type: 'IPAddress', value: h } : { type: 'Hostname', value: h };
}

const WILDCARDS = new Set(['', '0.0.0.0', '::']);

export function resolveGatewayAddresses(requested: Array<{ type?: string; value?: string }> | undefined, proxyHost: string, localAddresses: string[]): AddressVerdict {
  const own = gatewayAddress(proxyHost);
  if (!requested?.length) return { addresses: [own] };
  const host = proxyHost.replace(/^\[|\]$/g, '').toLowerCase();
  const wildcard = WILDCARDS.has(host);
  const served = (type: string, value: string): boolean => {
    if (type === 'Hostname') return value.toLowerCase() === host;
    if (value === host || value === own.value) return true;
    if (!wildcard) return false;
    const family = isIP(value);
    return (host === '::' || family === 4) && localAddresses.includes(value);
  };
  const addresses: TypedAddress[] = [];
  const unsupported: string[] = [];
  const notAssigned: string[] = [];
  for (const a of requested) {
    const type = a.type ?? 'IPAddress';
    if (type !== 'IPAddress' && type !== 'Hostname') {
      unsupported.push(`${type} ${a.value ?? ''}`.trim());
      continue;
    }
    if (!a.value) {
      if (type === 'IPAddress' && own.type === 'IPAddress') addresses.push(own);
      else notAssigned.push(`${type} (no value)`);
      continue;
    }
    if (served(type, a.value)) addresses.push({ type, value: a.value });
    else notAssigned.push(`${type} ${a.value}`);
  }
  const uniq = addresses.filter((a, i) => addresses.findIndex((b) => b.type === a.type && b.value === a.value) === i);
  return {
    addresses: uniq.length ? uniq : [own],
    ...(unsupported.length ? { unsupported: `address types not supported: ${unsupported.join(', ')}` } : {}),
    ...(notAssigned.length ? { notAssigned: `the proxy does not answer on ${notAssigned.join(', ')} (it listens on ${proxyHost || '0.0.0.0'})` } : {}),
  };
}
