// EndpointSlice (discovery.k8s.io/v1, namespaced). Table as kubectl prints it:
// NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../../apis/discovery/v1/endpointslice_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';
import { namespacedFields } from './secret';

type Slice = { addressType?: string; ports?: Array<{ port?: number }>; endpoints?: Array<{ addresses?: string[] }> };
const slice = (o: unknown) => o as Slice;

export const endpointSliceStrategy: Strategy = {
  ...defaultStrategy,
  strategicMerge: true,
  validateName: dnsSubdomainName,
  validate: (obj) => validateEndpointSlice(obj),
  validateUpdate: (n, o) => validateEndpointSliceUpdate(n, o),
  selectableFields: { ...namespacedFields, addressType: (o) => slice(o).addressType ?? '' },
  tableColumns: [
    { name: 'AddressType', type: 'string', description: 'The address type of the slice', priority: 0, cell: (o) => slice(o).addressType ?? '' },
    { name: 'Ports', type: 'string', description: 'The ports of the slice', priority: 0, cell: (o) => (slice(o).ports ?? []).map((p) => String(p.port ?? '')).join(',') || '<unset>' },
    { name: 'Endpoints', type: 'string', description: 'The first addresses of the slice', priority: 0, cell: (o) => (slice(o).endpoints ?? []).map((e) => e.addresses?.[0] ?? '').filter(Boolean).join(',') || '<unset>' },
    { name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
