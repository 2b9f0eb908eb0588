// Opens the configured store: etcd when --etcd-servers is given, else SQLite in the data dir.
import * as path from 'node:path';
import { EtcdDriver } from '../storage/etcd/driver';
import { SqliteDriver } from '../storage/sqlite/driver';
import { ObjectStore } from '../storage/store';

export interface StorageConfig {
  dataDir: string;
  etcdServers?: string[];
}

export function openStore(cfg: StorageConfig): ObjectStore {
  if (cfg.etcdServers?.length) return new ObjectStore(new EtcdDriver({ endpoints: cfg.etcdServers }));
  return new ObjectStore(new SqliteDriver({ file: path.join(cfg.dataDir, 'state.db') }));
}
