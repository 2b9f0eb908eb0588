// Namespace (core v1, cluster-scoped): DNS-1123 label names, status.phase Active from creation.
// No deletecollection (kube serves none for namespaces); deletion rules in namespace_validate.ts.
import { dns1123LabelErrors } from '../../apis/meta/v1/name_validation';
import type { Namespace } from '../../apis/core/v1/types';
import { canonicalizeNamespace, prepareNamespaceForCreate } from '../../apis/core/v1/namespace_validate';
import { defaultStrategy, type Strategy } from './strategy';

export const namespaceStrategy: Strategy = {
  ...defaultStrategy,
  strategicMerge: true,
  normalize: (obj) => canonicalizeNamespace(obj as Namespace),
  validateName: (name) => ({ errors: dns1123LabelErrors(name) }),
  prepareForCreate: (obj) => prepareNamespaceForCreate(obj as Namespace),
  // kube's namespace REST Delete: the first deletion request switches the phase to Terminating
  prepareForDelete: (obj) => void ((obj as Namespace).status = { ...(obj as Namespace).status, phase: 'Terminating' }),
  selectableFields: { 'status.phase': (o) => (o as Namespace).status?.phase ?? '' },
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  tableColumns: [
    { name: 'Status', type: 'string', description: 'The status of the namespace', priority: 0, cell: (o) => (o as Namespace).status?.phase ?? '' },
    { name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
