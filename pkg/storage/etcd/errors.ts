// etcd / gRPC failures as StorageErrors.
import { StorageError } from '../errors';

export function fromEtcdError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/required revision has been compacted/.test(msg)) {
    return new StorageError('Expired', `${what}: ${msg}`, { cause: err });
  }
  if (/required revision is a future revision/.test(msg)) {
    return new StorageError('TooLargeResourceVersion', `${what}: ${msg}`, { cause: err });
  }
  if (/request is too large|message larger than max|RESOURCE_EXHAUSTED/i.test(msg)) {
    return new StorageError('TooLarge', `${what}: ${msg}`, { cause: err });
  }
  if (/deadline exceeded|DEADLINE_EXCEEDED|timed out|timeout/i.test(msg)) {
    return new StorageError('Timeout', `${what}: etcd did not answer in time: ${msg}`, { cause: err });
  }
  return new StorageError('Unavailable', `${what}: etcd unavailable: ${msg}`, { cause: err });
}
