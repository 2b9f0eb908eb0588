// Every SQL statement the driver runs, prepared once.
import type Database from 'better-sqlite3';
import type { Row } from './schema';

export function prepare(db: Database.Database) {
  return {
    latest: db.prepare<[string], Row>('SELECT * FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1'),
    insert: db.prepare<[number, string, number, number, number, number, Buffer | null, Buffer | null]>(
      'INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    range: db.prepare<[string, string, number, number], Row>(
      `SELECT k.* FROM kine k JOIN (
         SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name
       ) m ON k.id = m.mid WHERE k.deleted = 0 ORDER BY k.name LIMIT ?`,
    ),
    count: db.prepare<[string, string, number], { n: number }>(
      `SELECT COUNT(*) AS n FROM kine k JOIN (
         SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name
       ) m ON k.id = m.mid WHERE k.deleted = 0`,
    ),
    after: db.prepare<[string, string, number], Row>(
      'SELECT * FROM kine WHERE name >= ? AND name < ? AND id >= ? ORDER BY id',
    ),
    sequence: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'kine'"),
    metaGet: db.prepare<[string], { v: number }>('SELECT v FROM kine_meta WHERE k = ?'),
    metaSet: db.prepare<[string, number]>(
      'INSERT INTO kine_meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v',
    ),
    // Compaction keeps, for every key, its newest row at or below the compact revision (so reads
    // at that revision still work) and drops older rows and tombstones below it.
    compactSuperseded: db.prepare<[number, number]>(
      `DELETE FROM kine WHERE id < ? AND id < (
         SELECT MAX(k2.id) FROM kine k2 WHERE k2.name = kine.name AND k2.id <= ?)`,
    ),
    compactTombstones: db.prepare<[number]>('DELETE FROM kine WHERE deleted = 1 AND id < ?'),
  };
}

export type Statements = ReturnType<typeof prepare>;
