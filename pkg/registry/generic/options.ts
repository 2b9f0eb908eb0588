// Options every write carries, parsed once by the HTTP layer (or set by a facade).
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  /** the API version the client speaks (objects come in and go out in it) */
  version: string;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  subresource?: 'status';
  /** duplicate keys in the JSON body (paths), for fieldValidation Strict (refused) and Warn */
  duplicateFields?: string[];
  /** admission of a new object before its system fields are set (a terminating namespace refuses it) */
  admitCreate?: (obj: import('../../../apis/meta/v1/types').KObject) => void;
}

export interface WriteResult {
  object: import('../../../apis/meta/v1/types').KObject;
  warnings: string[];
  /** create (201) rather than update (200) */
  created?: boolean;
}
