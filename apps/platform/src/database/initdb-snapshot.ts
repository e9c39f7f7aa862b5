import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the snapshot lives: next to the packages it was made with, so `npm ci` starts afresh. */
const PGLITE_PACKAGE_DIR = join(dirname(require.resolve('@electric-sql/pglite')), '..');
const CACHE_DIR = join(PGLITE_PACKAGE_DIR, '..', '..', '.cache', 'tinyfleet');

/**
 * Opens PGlite on `dataDir` (undefined: in memory). A new database starts from a snapshot of an
 * initdb'd cluster instead of running initdb.
 *
 * Why: initdb (run by PGlite in wasm) is most of a first start — 8–15 s of the ~10 s a test
 * database took to start with the machine loaded, ~4 s quiet — and its result depends only on the
 * PGlite version. PGlite itself creates an in-memory database by running initdb in a scratch
 * instance, dumping that data folder and loading the tarball (`loadDataDir`, as `PGlite.clone()`
 * does). We keep such a tarball per PGlite version, dumped from a fresh in-memory database (after
 * a CHECKPOINT, so it needs no recovery), and every later new database — each test database, a
 * first `npm start` — loads it in ~1.5 s. An existing data folder opens as before. The snapshot is
 * only ever dumped from memory: a data folder also holds our lock file.
 */
export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir && existsSync(join(dataDir, 'PG_VERSION'))) return PGlite.create({ dataDir });
  const snapshot = snapshotFile();
  if (existsSync(snapshot)) {
    try {
      return await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(snapshot)]) });
    } catch (err) {
      // Written atomically, so only damaged from outside: drop it, the next start makes a new one.
      rmSync(snapshot, { force: true });
      if (dataDir) {
        throw new Error(`could not load the initdb snapshot ${snapshot} (removed; start again): ${String(err)}`, {
          cause: err,
        });
      }
    }
  }
  if (dataDir) return PGlite.create({ dataDir });
  const db = await PGlite.create();
  await saveSnapshot(db, snapshot);
  return db;
}

function snapshotFile(): string {
  const { version } = JSON.parse(readFileSync(join(PGLITE_PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  return join(CACHE_DIR, `pglite-${version}-initdb.tar`);
}

async function saveSnapshot(db: PGlite, file: string): Promise<void> {
  try {
    await db.exec('CHECKPOINT');
    const tar = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
    mkdirSync(dirname(file), { recursive: true });
    // Several processes may make it at once (Jest workers): write aside, then rename.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, tar);
    renameSync(tmp, file);
  } catch {
    // Read-only install: every new database runs initdb, as without the snapshot.
  }
}
