import type { KObject } from '../../apis/meta/v1/types';
import type { Preconditions } from './interface';
import { StorageError } from './errors';

/** kube's Preconditions.Check: uid and resourceVersion must match the stored object. */
export function checkPreconditions(key: string, pre: Preconditions | undefined, cur: KObject): void {
  if (!pre) return;
  if (pre.uid && pre.uid !== cur.metadata.uid) {
    throw StorageError.conflict(
      key,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid ?? ''}`,
    );
  }
  if (pre.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
    throw StorageError.conflict(
      key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ''}`,
    );
  }
}
