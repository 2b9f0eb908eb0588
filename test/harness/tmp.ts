// Temporary directories that are removed when the test process exits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onExit } from './cleanup';

const dirs = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const d of dirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  dirs.clear();
}

/** A fresh empty directory under the OS temp dir, removed at process exit (unless KEEP_TMP=1). */
export function tempDir(prefix = 'switchyard-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix.replace(/[^A-Za-z0-9._-]/g, '_')));
  if (process.env.KEEP_TMP !== '1') {
    dirs.add(dir);
    if (!hooked) {
      hooked = true;
      onExit(removeAll, 10);
    }
  }
  return dir;
}

/** A path (not created) inside a fresh temp dir. */
export function tempFile(name: string, prefix = 'switchyard-'): string {
  return path.join(tempDir(prefix), name);
}

/** Remove a temp dir now (it is also forgotten by the exit hook). */
export function removeTempDir(dir: string): void {
  dirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
