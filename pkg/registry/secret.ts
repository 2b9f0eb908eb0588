// Secret (core v1): base64 data, stringData merged on write, typed keys; only admins read it.
// Table as kubectl prints Secrets: NAME TYPE DATA AGE.
import { badRequest } from '../apierrors/errors';
import type { Secret } from '../../apis/core/v1/types';
import { normalizeSecret, validateSecret, validateSecretUpdate } from '../../apis/core/v1/secret_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';

const dataCount = (o: { data?: unknown }) => (o.data && typeof o.data === 'object' ? Object.keys(o.data).length : 0);

export const namespacedFields = { 'metadata.namespace': (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? '' };

export const secretStrategy: Strategy = {
  ...defaultStrategy,
  normalize(obj) {
    const err = normalizeSecret(obj as Secret);
    if (err) throw badRequest(`Secret in version "v1" cannot be handled as a Secret: ${err}`);
  },
  strategicMerge: true,
  validateName: dnsSubdomainName,
  validate: (obj) => validateSecret(obj as Secret),
  validateUpdate: (n, o) => validateSecretUpdate(n as Secret, o as Secret),
  selectableFields: { ...namespacedFields, type: (o) => (o as Secret).type ?? '' },
  adminOnlyRead: true,
  tableColumns: [
    { name: 'Type', type: 'string', description: 'The type of the secret', priority: 0, cell: (o) => (o as Secret).type ?? '' },
    { name: 'Data', type: 'string', description: 'The number of entries in the data', priority: 0, cell: (o) => dataCount(o as Secret) },
    { name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
