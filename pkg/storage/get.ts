import type { KObject } from '../../apis/meta/v1/types';
import type { Driver } from './driver';
import { decode } from './codec';
import { StorageError } from './errors';

export async function getObject(driver: Driver, key: string): Promise<KObject> {
  const { kv } = await driver.get(key);
  if (!kv) throw StorageError.notFound(key);
  return decode(kv);
}
