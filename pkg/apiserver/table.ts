// meta.k8s.io/v1 Table output for `kubectl get`: Name first, then the kind's columns (its
// strategy's, else the CRD's printer columns), rows carrying PartialObjectMetadata by default.
import type { KObject } from '../../apis/meta/v1/types';
import type { Resource } from '../registry/resource';
import type { TableColumn } from '../registry/strategy';
import { compileJsonPath } from './jsonpath';
import { ageOf } from './human_duration';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
  priority: 0,
  cell: (o) => o.metadata.name ?? '',
};

const AGE: TableColumn = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o) => o.metadata.creationTimestamp ?? '<unknown>',
};

const columnCache = new WeakMap<Resource, Map<string, TableColumn[]>>();

export function columnsFor(r: Resource, version: string): TableColumn[] {
  let byVersion = columnCache.get(r);
  if (!byVersion) columnCache.set(r, (byVersion = new Map()));
  let cols = byVersion.get(version);
  if (cols) return cols;
  if (r.strategy.tableColumns) {
    cols = [NAME, ...r.strategy.tableColumns];
  } else {
    const printer = r.versions.find((v) => v.name === version)?.printerColumns ?? [];
    cols = printer.length
      ? [
          NAME,
          ...printer.map((pc): TableColumn => {
            const get = compileJsonPath(pc.jsonPath);
            return {
              name: pc.name,
              type: (pc.type as TableColumn['type']) ?? 'string',
              format: pc.format,
              description: pc.description ?? '',
              priority: pc.priority ?? 0,
              cell: (o) => {
                const vals = get(o);
                if (vals.length === 0) return null;
                return vals.length === 1 && typeof vals[0] !== 'object' ? vals[0] : vals.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
              },
            };
          }),
        ]
      : [NAME, AGE];
  }
  byVersion.set(version, cols);
  return cols;
}

export function tableOf(
  r: Resource,
  version: string,
  items: KObject[],
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  includeObject: IncludeObject,
  withColumnDefinitions = true,
): Record<string, unknown> {
  const cols = columnsFor(r, version);
  const defs: ColumnDefinition[] = cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumnDefinitions ? defs : [],
    rows: items.map((o) => ({ cells: cols.map((c) => safeCell(c, o)), object: rowObject(o, includeObject) })),
  };
}

function safeCell(c: TableColumn, o: KObject): unknown {
  try {
    const v = c.cell(o);
    if (c.type === 'date') return ageOf(v);
    return v === undefined ? null : v;
  } catch {
    return null;
  }
}

function rowObject(o: KObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}
