/**
 * The node:sqlite file behind a persistent embedded store: opened in WAL mode, checked to be ours and intact,
 * and otherwise moved aside (never a crash) so the service starts with an empty store.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../logging/logger.ts';

/** File name of the database inside `store.path`; SQLite adds `-wal` and `-shm` beside it. */
export const STORE_DATABASE_FILE = 'yardstick-store.db';

/** `PRAGMA application_id` of a yardstick store ("YDST"), so a foreign SQLite file is told apart. */
const APPLICATION_ID = 0x59445354;
/** `PRAGMA user_version`: the layout of the tables below. */
const SCHEMA_VERSION = 4;

/**
 * Native histogram samples not sealed yet, one row each (histogram-row.ts), and sealed ones, a chunk per
 * series and seal (histogram-chunk-bytes.ts). Version 1 had neither table, version 2 no chunks.
 */
const HISTOGRAMS_TABLE = `
  CREATE TABLE histograms (
    series_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, t)
  ) WITHOUT ROWID;
  CREATE INDEX histograms_by_t ON histograms (t);
`;
const HISTOGRAM_CHUNKS_TABLE = `
  CREATE TABLE histogram_chunks (
    series_id INTEGER NOT NULL,
    min_t INTEGER NOT NULL,
    max_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, min_t)
  ) WITHOUT ROWID;
  CREATE INDEX histogram_chunks_by_max_t ON histogram_chunks (max_t);
`;
/**
 * The newest time a seal put into chunks, once all its chunks are written (its one row has id 1): rows up to
 * it are deleted before the head is read again, so a crash between a seal's transactions seals nothing twice
 * (disk-steps.ts). Version 3 had no such table.
 */
const SEALED_TABLE = `
  CREATE TABLE sealed (id INTEGER PRIMARY KEY CHECK (id = 1), t INTEGER NOT NULL);
`;
/** What a store of each older version lacks. */
const UPGRADES: Readonly<Record<number, string>> = {
  1: HISTOGRAMS_TABLE + HISTOGRAM_CHUNKS_TABLE + SEALED_TABLE,
  2: HISTOGRAM_CHUNKS_TABLE + SEALED_TABLE,
  3: SEALED_TABLE,
};

const SCHEMA = `
  CREATE TABLE series (id INTEGER PRIMARY KEY, labels TEXT NOT NULL UNIQUE);
  CREATE TABLE chunks (
    series_id INTEGER NOT NULL,
    min_t INTEGER NOT NULL,
    max_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, min_t)
  ) WITHOUT ROWID;
  CREATE INDEX chunks_by_max_t ON chunks (max_t);
  CREATE TABLE head (t INTEGER PRIMARY KEY, data BLOB NOT NULL);
  CREATE TABLE cursors (endpoint TEXT PRIMARY KEY, t INTEGER NOT NULL);
  ${HISTOGRAMS_TABLE}
  ${HISTOGRAM_CHUNKS_TABLE}
  ${SEALED_TABLE}
`;

/** An open store database. */
export interface StoreDatabase {
  readonly db: DatabaseSync;
  /** The database file. */
  readonly file: string;
}

/**
 * Opens (creating if needed) the store database in directory `dir`: the directory is made 0700 and the files
 * 0600 (SQLite gives `-wal` and `-shm` the database file's mode). A file that is not a yardstick store, or
 * fails `PRAGMA quick_check`, is renamed to `<file>.corrupt-<timestamp>` (with its `-wal`/`-shm`) and
 * reported through `logger` with its path; a new empty store takes its place.
 * @throws only when the directory itself cannot be created or written (a configuration problem).
 */
export function openStoreDatabase(dir: string, logger: Logger): StoreDatabase {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, STORE_DATABASE_FILE);
  try {
    return { db: openChecked(file), file };
  } catch (error) {
    const movedTo = moveAside(file);
    logger.error(
      { path: file, movedTo, err: error },
      'store database is corrupt or not a yardstick store: moved aside, starting with an empty store',
    );
    return { db: openChecked(file), file };
  }
}

function openChecked(file: string): DatabaseSync {
  // Created 0600 before SQLite opens it, so the database and the -wal/-shm files it derives never exist
  // with the process umask's mode; an existing file is tightened too.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new DatabaseSync(file);
  try {
    const fresh = statSync(file).size === 0;
    if (fresh) {
      // auto_vacuum must be chosen before the first table: retention's deletes then give pages back.
      db.exec('PRAGMA auto_vacuum = INCREMENTAL');
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      db.exec(`BEGIN; ${SCHEMA} COMMIT;`);
    } else {
      const id = pragmaNumber(db, 'application_id');
      const version = pragmaNumber(db, 'user_version');
      if (id !== APPLICATION_ID) throw new Error(`not a yardstick store (application_id ${id})`);
      const upgrade = UPGRADES[version];
      if (upgrade === undefined && version !== SCHEMA_VERSION)
        throw new Error(`unknown yardstick store version ${version}`);
      const check = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined;
      if (check?.quick_check !== 'ok') throw new Error(`quick_check: ${check?.quick_check ?? 'no answer'}`);
      // An older store keeps its history: it only lacks tables.
      if (upgrade !== undefined)
        db.exec(`BEGIN; ${upgrade} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
    }
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash (SIGKILL); only an OS crash or power loss can
    // take back the last commits, never corrupt the file.
    db.exec('PRAGMA synchronous = NORMAL');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[name]);
}

/** Renames `file` and its WAL companions with a timestamp suffix; returns the new name of the database file. */
function moveAside(file: string): string {
  const suffix = `.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const companion of ['', '-wal', '-shm']) {
    if (existsSync(file + companion)) renameSync(file + companion, file + suffix + companion);
  }
  return file + suffix;
}
