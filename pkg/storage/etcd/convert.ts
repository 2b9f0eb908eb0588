// etcd3's raw protobuf shapes (int64 as strings) ↔ the Driver's KeyValue / DriverEvent.
import type { IEvent, IKeyValue } from 'etcd3/lib/rpc';
import type { DriverEvent, KeyValue } from '../driver';

export function toKV(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

export function toEvent(ev: IEvent): DriverEvent {
  const prevKv = ev.prev_kv && ev.prev_kv.key && ev.prev_kv.key.length ? toKV(ev.prev_kv) : undefined;
  if (ev.type === 'Delete' || (ev.type as unknown) === 1) {
    return { type: 'delete', kv: { key: ev.kv.key.toString('utf8'), modRevision: Number(ev.kv.mod_revision) }, prevKv };
  }
  return { type: 'put', kv: toKV(ev.kv), prevKv };
}
