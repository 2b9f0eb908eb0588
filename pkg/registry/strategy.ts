// One strategy per kind, as sample-apiserver's flunder/strategy.go: every lifecycle hook the
// generic REST flows call, in BeforeCreate / BeforeUpdate order. Pure functions of their inputs.
import type { KObject } from '../../apis/meta/v1/types';
import type { FieldErrorList } from '../../apis/meta/v1/field';

export interface NameCheck {
  errors: string[];
  warning?: string;
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority: number;
  cell: (obj: KObject) => unknown;
}

export interface Strategy {
  /** canonical form before schema validation (e.g. Backend lowercases spec.protocol, as Apoxy) */
  normalize(obj: KObject): void;
  /** name rule of this kind: errors reject, a warning goes to the Warning header */
  validateName(name: string): NameCheck;
  validate(obj: KObject): FieldErrorList;
  /** validates the NEW object (apoxy's builder validated the old one) */
  validateUpdate(newObj: KObject, oldObj: KObject): FieldErrorList;
  /** extra Warning headers for a stored object */
  warnings(obj: KObject): string[];
  /** fields a fieldSelector may name, besides metadata.name */
  selectableFields: Record<string, (obj: KObject) => string | undefined>;
  /** columns for `kubectl get` (Name is always first); undefined: the CRD's printer columns */
  tableColumns?: TableColumn[];
  /** system fields of a new object, after the generic ones (e.g. a Namespace's status.phase) */
  prepareForCreate?(obj: KObject): void;
  /** system fields of an object marked for deletion (kube's Namespace: status.phase Terminating) */
  prepareForDelete?(obj: KObject): void;
  /** only admins may get, list or watch it (Secrets): readers get 403 */
  adminOnlyRead?: boolean;
  /** a built-in kind: takes application/strategic-merge-patch+json (custom kinds answer 415) */
  strategicMerge?: boolean;
  /** verbs served on the main resource (default: all eight) */
  verbs?: string[];
}

/** Hooks a kind may leave out. */
export const defaultStrategy: Omit<Strategy, 'validateName'> = {
  normalize: () => undefined,
  validate: () => [],
  validateUpdate: () => [],
  warnings: () => [],
  selectableFields: {},
};
