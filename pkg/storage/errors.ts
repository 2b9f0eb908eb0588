// The storage layer's one error type. Codes mirror k8s.io/apiserver/pkg/storage errors; the
// apiserver maps each to a metav1.Status (NotFound → 404, AlreadyExists → 409, Conflict → 409,
// Expired → 410, TooLargeResourceVersion → 504, Unavailable → 503, InvalidContinue → 400,
// TooLarge → 413).

export type StorageErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'InvalidObject'
  | 'Expired'
  | 'TooLargeResourceVersion'
  | 'InvalidContinue'
  | 'InvalidResourceVersion'
  | 'Unavailable'
  | 'Timeout'
  | 'TooLarge';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key?: string;
  /** for Conflict: the revision actually stored; for Expired: the compacted revision */
  readonly revision?: number;

  constructor(code: StorageErrorCode, message: string, opts: { key?: string; revision?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StorageError';
    this.code = code;
    this.key = opts.key;
    this.revision = opts.revision;
  }

  static notFound(key: string): StorageError {
    return new StorageError('NotFound', `key not found: ${key}`, { key });
  }
  static alreadyExists(key: string): StorageError {
    return new StorageError('AlreadyExists', `key exists: ${key}`, { key });
  }
  static conflict(key: string, detail: string, revision?: number): StorageError {
    return new StorageError('Conflict', detail, { key, revision });
  }
  static expired(requested: number, compacted: number): StorageError {
    return new StorageError(
      'Expired',
      `too old resource version: ${requested} (${compacted})`,
      { revision: compacted },
    );
  }
  static tooLarge(requested: number, current: number): StorageError {
    return new StorageError(
      'TooLargeResourceVersion',
      `Too large resource version: ${requested}, current: ${current}`,
      { revision: current },
    );
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
