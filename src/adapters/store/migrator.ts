import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlDatabase } from './sql-database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const MIGRATION_FILE = /^\d{3,}_[a-z0-9_]+\.sql$/;
// Any constant shared by every replica; it names the lock that serialises migrations.
const MIGRATION_LOCK_KEY = 7_262_836_517;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in file-name order, in one transaction
 * under an advisory lock: replicas starting together wait for each other and the migrations run once.
 * Returns the versions it applied.
 */
export async function migrate(db: SqlDatabase, migrationsDir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(migrationsDir)).filter((file) => MIGRATION_FILE.test(file)).sort();
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const rows = await tx.query<{ version: string }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = files.filter((file) => !applied.has(versionOf(file)));
    for (const file of pending) {
      await tx.execute(await readFile(join(migrationsDir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [versionOf(file)]);
    }
    return pending.map(versionOf);
  });
}

function versionOf(file: string): string {
  return file.replace(/\.sql$/, '');
}
