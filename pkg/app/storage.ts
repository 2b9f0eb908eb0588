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
  if (cfg.etcdServers?.length) return new ObjectStore(new EtcdDriver({ endpoints: cfg.etcdServers, ...slowCalls() }));
  return new ObjectStore(new SqliteDriver({ file: path.join(cfg.dataDir, 'state.db') }));
}

/**
 * SWITCHYARD_ETCD_CALL_TIMEOUT_MS: longer etcd deadlines for a server run under an instrumenting
 * tool (callgrind in bench/apiserver/creates.ts runs it ~50× slower); not a user setting.
 */
function slowCalls(): { callTimeoutMs?: number; readTimeoutMs?: number } {
  const ms = Number(process.env.SWITCHYARD_ETCD_CALL_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? { callTimeoutMs: ms, readTimeoutMs: ms } : {};
}
