// Backend (core.apoxy.dev): Apoxy's names, protocol lowercased before validation, and the table
// Apoxy prints (Endpoints joined by commas or "None", Protocol, Age).
import type { KObject } from '../../apis/meta/v1/types';
import type { Backend } from '../../apis/core/v1alpha2/backend_types';
import { backendWarnings, normalizeBackend, validateBackend, validateBackendName, validateBackendUpdate } from '../../apis/core/v1alpha2/backend_validate';
import { defaultStrategy, type Strategy } from './strategy';

function endpointsCell(o: KObject): string {
  const eps = (o as Backend).spec?.endpoints ?? [];
  if (!eps.length) return 'None';
  return eps.map((e) => `${e.fqdn ?? e.ip ?? ''}${e.port ? `:${e.port}` : ''}`).join(',');
}

export const backendStrategy: Strategy = {
  ...defaultStrategy,
  normalize: (obj) => void normalizeBackend(obj as Backend),
  validateName: validateBackendName,
  validate: (obj) => validateBackend(obj as Backend),
  validateUpdate: (n, o) => validateBackendUpdate(n as Backend, o as Backend),
  warnings: (obj) => backendWarnings(obj),
  selectableFields: {
    'spec.protocol': (o) => (o as Backend).spec?.protocol ?? '',
  },
  tableColumns: [
    { name: 'Endpoints', type: 'string', description: 'Endpoints of the backend', priority: 0, cell: endpointsCell },
    { name: 'Protocol', type: 'string', description: 'Protocol used to talk to the endpoints', priority: 0, cell: (o) => (o as Backend).spec?.protocol || '' },
    { name: 'Age', type: 'date', description: 'CreationTimestamp', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
