// Which LISTs the watch cache answers, as kube-apiserver 1.31+ decides (cacher's
// shouldDelegateList with ConsistentListFromCache on):
//   continue token                 → storage (the cache keeps no past revisions to page through)
//   limit, unless resourceVersion=0 → storage (kubectl get pages with limit=500 and RV="")
//   resourceVersionMatch=Exact     → storage
//   resourceVersion="0"            → cache as it is ("any"; a limit is ignored, as kube's cache does)
//   resourceVersion=""             → cache once it has seen the store's current revision (consistent)
//   resourceVersion=N [NotOlderThan] → cache once it has seen N
// Requests the store would refuse (an unparsable resourceVersion, a match without a
// resourceVersion) go to storage, which answers them with its errors.
import type { ListOptions } from '../../storage/interface';

export type Freshness = { kind: 'any' } | { kind: 'consistent' } | { kind: 'atLeast'; revision: number };

export type ListPlan = { from: 'storage'; reason: string } | { from: 'cache'; freshness: Freshness };

export function planList(opts: Pick<ListOptions, 'resourceVersion' | 'resourceVersionMatch' | 'limit' | 'continue'>): ListPlan {
  const rv = opts.resourceVersion ?? '';
  const match = opts.resourceVersionMatch ?? '';
  const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
  if (opts.continue) return storage('continue token');
  if (rv !== '' && !/^[0-9]{1,16}$/.test(rv)) return storage('invalid resourceVersion');
  const n = Number(rv);
  if (rv !== '' && !Number.isSafeInteger(n)) return storage('invalid resourceVersion');
  if (match !== '' && rv === '') return storage('resourceVersionMatch without resourceVersion');
  if (match === 'Exact') return storage('resourceVersionMatch=Exact');
  if (match !== '' && match !== 'NotOlderThan') return storage('unsupported resourceVersionMatch');
  if (rv !== '' && n === 0) return { from: 'cache', freshness: { kind: 'any' } };
  if (limit) return storage('limit');
  if (rv === '') return { from: 'cache', freshness: { kind: 'consistent' } };
  return { from: 'cache', freshness: { kind: 'atLeast', revision: n } };
}

function storage(reason: string): ListPlan {
  return { from: 'storage', reason };
}
