// list: a consistent read at one revision, paged with limit/continue (tokens pin the revision),
// with kube's resourceVersion / resourceVersionMatch rules.
import type { KObject } from '../../apis/meta/v1/types';
import type { Driver } from './driver';
import { prefixEnd } from './driver';
import type { ListOptions, ListResult } from './interface';
import { decode, parseResourceVersion } from './codec';
import { decodeContinue, encodeContinue } from './continue';
import { StorageError, isStorageError } from './errors';

const TOO_OLD_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

export async function listObjects(driver: Driver, prefix: string, opts: ListOptions = {}): Promise<ListResult> {
  const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
  const end = prefixEnd(prefix);
  let start = prefix;
  let revision = 0;

  if (opts.continue) {
    if (opts.resourceVersion && opts.resourceVersion !== '0') {
      throw new StorageError('InvalidContinue', 'specifying resource version is not allowed when using continue');
    }
    const tok = decodeContinue(opts.continue);
    revision = tok.rv;
    start = prefix + tok.start;
  } else {
    revision = await revisionToRead(driver, opts);
  }

  const items: KObject[] = [];
  let more = false;
  let nextKey = '';
  let remaining: number | undefined;
  // With a predicate a page may be short after filtering: keep reading until full or exhausted.
  for (;;) {
    const want = limit ? limit - items.length : 0;
    const pageSize = limit ? (opts.predicate ? Math.max(want * 2, 64) : want + 1) : 0;
    let page;
    try {
      page = await driver.range(start, end, { limit: pageSize, revision });
    } catch (err) {
      if (opts.continue && isStorageError(err, 'Expired')) throw new StorageError('Expired', TOO_OLD_CONTINUE);
      throw err;
    }
    revision = page.revision;
    let i = 0;
    for (; i < page.kvs.length; i++) {
      if (limit && items.length === limit) break;
      const obj = decode(page.kvs[i]);
      if (!opts.predicate || opts.predicate(obj)) items.push(obj);
    }
    const stoppedEarly = i < page.kvs.length;
    if (stoppedEarly || page.more) {
      const lastKey = stoppedEarly ? page.kvs[i - 1].key : page.kvs[page.kvs.length - 1].key;
      if (limit && items.length === limit) {
        more = true;
        nextKey = lastKey + '\0';
        if (!opts.predicate) remaining = page.count - i;
        break;
      }
      start = lastKey + '\0';
      continue;
    }
    break;
  }

  const result: ListResult = { items, resourceVersion: String(revision) };
  if (more) {
    result.continue = encodeContinue(revision, nextKey.slice(prefix.length));
    if (remaining !== undefined && remaining > 0) result.remainingItemCount = remaining;
  }
  return result;
}

async function revisionToRead(driver: Driver, opts: ListOptions): Promise<number> {
  const rv = parseResourceVersion(opts.resourceVersion);
  const match = opts.resourceVersionMatch ?? '';
  if (match && !opts.resourceVersion) {
    throw new StorageError('InvalidResourceVersion', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
  }
  if (match === 'Exact' && rv === 0) {
    throw new StorageError('InvalidResourceVersion', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (rv === 0) return 0; // "" is a consistent read at the latest revision; "0" may be any: serve the latest
  const current = await driver.currentRevision();
  if (rv > current) throw StorageError.tooLarge(rv, current);
  // Legacy rule: a non-zero RV with a limit and no match means Exact (paging from that revision).
  const exact = match === 'Exact' || (match === '' && !!opts.limit);
  return exact ? rv : 0;
}
