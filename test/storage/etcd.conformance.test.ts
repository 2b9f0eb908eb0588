// The storage conformance suite on etcd: one real etcd member started by the harness, the
// EtcdDriver talking to it. restart = SIGKILL the member and start it again on the same data dir
// and ports; the same driver must reconnect (and its watches resume).
import { ObjectStore } from '../../pkg/storage/store';
import { EtcdDriver } from '../../pkg/storage/etcd/driver';
import { startEtcd } from '../harness/etcd';
import { runStoreConformance } from './conformance';

runStoreConformance('etcd', async () => {
  const member = await startEtcd();
  const driver = new EtcdDriver({ endpoints: [member.clientURL], callTimeoutMs: 5000 });
  const store = new ObjectStore(driver);
  return {
    store,
    driver,
    async restart() {
      await member.kill('SIGKILL');
      await member.restart();
      return { store, driver };
    },
    async cleanup() {
      await driver.close();
      await member.stop();
    },
  };
});
