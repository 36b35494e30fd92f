import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { compiledSibling } from '../runtime/compiled-module.js';

/**
 * Creates the embedded database in a new data folder in a short-lived child process. PGlite's initdb peaks
 * at about 730 MB of WebAssembly memory, which a process never gives back; reopening an existing folder
 * takes about 175 MB. So the server's own peak is that of an existing folder, even on its first start.
 * Does nothing when the folder already holds a database. The caller holds the store's lock. Returns the
 * migrations the child applied.
 */
export async function initialiseEmbeddedStore(dataDir: string): Promise<{ initialised: boolean; migrationsApplied: string[] }> {
  if (await holdsDatabase(dataDir)) return { initialised: false, migrationsApplied: [] };
  const script = compiledSibling(import.meta.url, 'embedded-initialiser.js');
  const stdout = await new Promise<string>((resolve, reject) => {
    // The baseline WebAssembly compiler lowers even initdb's peak (about 650 MB against 730), which this process never sees.
    execFile(process.execPath, ['--liftoff-only', script, dataDir], { maxBuffer: 1024 * 1024 }, (error, output, stderr) => {
      if (error === null) resolve(output);
      else reject(new Error(`could not create the embedded database in ${dataDir}: ${stderr.trim().split('\n').slice(-5).join(' ') || error.message}`));
    });
  });
  return { initialised: true, migrationsApplied: JSON.parse(stdout) as string[] };
}

async function holdsDatabase(dataDir: string): Promise<boolean> {
  return access(join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}
