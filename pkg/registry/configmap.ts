// ConfigMap (core v1): config keys, binaryData base64. Table as kubectl prints it: NAME DATA AGE.
import { badRequest } from '../apierrors/errors';
import type { ConfigMap } from '../../apis/core/v1/types';
import { normalizeConfigMap, validateConfigMap, validateConfigMapUpdate } from '../../apis/core/v1/configmap_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dnsSubdomainName } from './dns_names';
import { namespacedFields } from './secret';

const count = (m: unknown) => (m && typeof m === 'object' ? Object.keys(m).length : 0);

export const configMapStrategy: Strategy = {
  ...defaultStrategy,
  normalize(obj) {
    const err = normalizeConfigMap(obj as ConfigMap);
    if (err) throw badRequest(`ConfigMap in version "v1" cannot be handled as a ConfigMap: ${err}`);
  },
  strategicMerge: true,
  validateName: dnsSubdomainName,
  validate: (obj) => validateConfigMap(obj as ConfigMap),
  validateUpdate: (n, o) => validateConfigMapUpdate(n as ConfigMap, o as ConfigMap),
  selectableFields: { ...namespacedFields },
  tableColumns: [
    { name: 'Data', type: 'integer', description: 'The number of entries in data and binaryData', priority: 0, cell: (o) => count((o as ConfigMap).data) + count((o as ConfigMap).binaryData) },
    { name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
