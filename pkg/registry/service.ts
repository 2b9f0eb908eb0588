// Service (core v1, namespaced): stored with kube's defaults and validation; strategic merge
// (ports merged by `port`). Table as kubectl prints Services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE.
import { prepareService, validateService, validateServiceUpdate } from '../../apis/core/v1/service_validate';
import { defaultStrategy, type Strategy } from './strategy';
import { dns1123LabelErrors } from '../../apis/meta/v1/name_validation';
import { namespacedFields } from './secret';

type Spec = { type?: string; clusterIP?: string; externalIPs?: string[]; externalName?: string; ports?: Array<{ port?: number; protocol?: string; nodePort?: number }> };
const spec = (o: unknown): Spec => ((o as { spec?: Spec }).spec ?? {});

export const serviceStrategy: Strategy = {
  ...defaultStrategy,
  strategicMerge: true,
  // kube: a Service name is a DNS-1035 label; a DNS-1123 label is the close fit here
  validateName: (name) => ({ errors: dns1123LabelErrors(name) }),
  normalize: (obj) => prepareService(obj),
  validate: (obj) => validateService(obj),
  validateUpdate: (n, o) => validateServiceUpdate(n, o),
  selectableFields: { ...namespacedFields, 'spec.type': (o) => spec(o).type ?? '', 'spec.clusterIP': (o) => spec(o).clusterIP ?? '' },
  tableColumns: [
    { name: 'Type', type: 'string', description: 'The type of the service', priority: 0, cell: (o) => spec(o).type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', description: 'The cluster IP of the service', priority: 0, cell: (o) => spec(o).clusterIP || '<none>' },
    { name: 'External-IP', type: 'string', description: 'The external IPs of the service', priority: 0, cell: (o) => spec(o).externalName ?? (spec(o).externalIPs?.join(',') || '<none>') },
    { name: 'Port(s)', type: 'string', description: 'The ports of the service', priority: 0, cell: (o) => (spec(o).ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
    { name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => o.metadata.creationTimestamp },
  ],
};
