// The proxy's Via pseudonym (RFC 9110 §7.6.3) when --proxy-via-name is not given: a random id made
// once per data dir and kept in DATA_DIR/proxy-via-name, so a restart keeps it and two switchyards
// (two data dirs) in a chain never mistake each other's Via for their own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { validViaName } from './front';

export const VIA_NAME_FILE = 'proxy-via-name';

export function viaNameFor(dataDir: string, flag: string | undefined): string {
  if (flag !== undefined && flag !== '') {
    if (!validViaName(flag)) throw new Error(`--proxy-via-name: ${JSON.stringify(flag)} is not a token (letters, digits, '.', '-', '_'; at most 64)`);
    return flag;
  }
  const file = path.join(dataDir, VIA_NAME_FILE);
  try {
    const stored = fs.readFileSync(file, 'utf8').trim();
    if (validViaName(stored)) return stored;
  } catch {
    /* first start */
  }
  const name = `switchyard-${randomBytes(6).toString('hex')}`;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // write-then-rename: two processes starting on one data dir never read half a name; the first wins
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, name + '\n', { mode: 0o644 });
  try {
    fs.linkSync(tmp, file);
  } catch {
    /* another process made it meanwhile: theirs is kept */
  }
  fs.unlinkSync(tmp);
  const kept = fs.readFileSync(file, 'utf8').trim();
  return validViaName(kept) ? kept : name;
}
