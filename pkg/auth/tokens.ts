// Static bearer tokens, like kube's --token-auth-file: CSV lines `token,user,uid[,"group1,group2"]`.
// Two roles: members of group `switchyard:admins` (or `system:masters`) may write; everyone else
// authenticated may read.
import * as fs from 'node:fs';
import { timingSafeEqual } from 'node:crypto';

export type Role = 'admin' | 'readonly';

export interface User {
  name: string;
  uid: string;
  groups: string[];
  role: Role;
}

export const ADMIN_GROUPS = ['switchyard:admins', 'system:masters'];

export class TokenAuthenticator {
  private readonly tokens: Array<{ token: Buffer; user: User }> = [];

  add(token: string, user: Omit<User, 'role'>): void {
    const role: Role = user.groups.some((g) => ADMIN_GROUPS.includes(g)) ? 'admin' : 'readonly';
    this.tokens.push({ token: Buffer.from(token), user: { ...user, role } });
  }

  static fromFile(path: string): TokenAuthenticator {
    const a = new TokenAuthenticator();
    a.load(fs.readFileSync(path, 'utf8'));
    return a;
  }

  load(csv: string): void {
    for (const raw of csv.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = parseCSVLine(line);
      if (fields.length < 3 || !fields[0]) throw new Error(`token file: line needs token,user,uid[,groups]: ${line.slice(0, 40)}`);
      const groups = fields[3] ? fields[3].split(',').map((g) => g.trim()).filter(Boolean) : [];
      this.add(fields[0], { name: fields[1], uid: fields[2], groups });
    }
  }

  authenticate(authorization: string | undefined): User | null {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return null;
    const given = Buffer.from(m[1]);
    for (const t of this.tokens) {
      if (t.token.length === given.length && timingSafeEqual(t.token, given)) return t.user;
    }
    return null;
  }
}

function parseCSVLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}
