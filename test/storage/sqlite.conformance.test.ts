// The storage conformance suite on the embedded SQLite store (a temp file; restart = close and
// reopen the same file).
import * as path from 'node:path';
import { ObjectStore } from '../../pkg/storage/store';
import { SqliteDriver } from '../../pkg/storage/sqlite/driver';
import { tempDir } from '../harness/tmp';
import { runStoreConformance } from './conformance';

runStoreConformance('sqlite', async () => {
  const file = path.join(tempDir('switchyard-sqlite-'), 'state.db');
  let driver = new SqliteDriver({ file });
  let store = new ObjectStore(driver);
  return {
    get store() {
      return store;
    },
    get driver() {
      return driver;
    },
    async restart() {
      await driver.close();
      driver = new SqliteDriver({ file });
      store = new ObjectStore(driver);
      return { store, driver };
    },
    async cleanup() {
      await driver.close();
    },
  };
});
