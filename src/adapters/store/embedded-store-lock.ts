import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export type LockHolderRole = 'server' | 'cli';

interface LockHolder {
  readonly pid: number;
  readonly role: LockHolderRole;
  readonly since: string;
}

export class EmbeddedStoreBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the embedded store in ${dataDir} is in use by a regauth ${holder.role} (pid ${holder.pid}) since ${holder.since}. ` +
        `PGlite serves one process at a time; if no regauth is running, delete ${lockFileOf(dataDir)}`,
    );
    this.name = 'EmbeddedStoreBusyError';
  }
}

export interface EmbeddedStoreLock {
  release(): Promise<void>;
}

/**
 * Takes the lock on an embedded data folder. PGlite must never be opened by two processes at once, so the
 * server and the CLI both hold this while they have the database open. A lock left by a dead process
 * (or by an earlier run that had this same pid, as PID 1 in a restarted container) is taken over.
 */
export async function lockEmbeddedStore(dataDir: string, role: LockHolderRole): Promise<EmbeddedStoreLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = lockFileOf(dataDir);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(path, 'wx', 0o600);
      const holder: LockHolder = { pid: process.pid, role, since: new Date().toISOString() };
      await file.writeFile(JSON.stringify(holder));
      await file.close();
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readHolder(path);
      if (holder !== null && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new EmbeddedStoreBusyError(dataDir, holder);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`could not lock the embedded store in ${dataDir}`);
}

/** Who holds the lock on a data folder, if a live process does. */
export async function embeddedStoreHolder(dataDir: string): Promise<LockHolder | null> {
  const holder = await readHolder(lockFileOf(dataDir));
  return holder !== null && isAlive(holder.pid) ? holder : null;
}

function lockFileOf(dataDir: string): string {
  return join(dataDir, 'regauth.lock');
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && (parsed.role === 'server' || parsed.role === 'cli')
      ? { pid: parsed.pid, role: parsed.role, since: String(parsed.since) }
      : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
