import { constants } from 'node:fs';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const GROUP_AND_OTHER = 0o077;

export class DataFolderPermissionError extends Error {
  constructor(path: string, mode: number, options: ErrorOptions) {
    super(
      `${path} is open to other users (mode ${mode.toString(8).padStart(4, '0')}) and regauth cannot change that ` +
        `(${(options.cause as Error).message}); make it private with chmod -R go= or give regauth a folder of its own`,
      options,
    );
    this.name = 'DataFolderPermissionError';
  }
}

/**
 * Creates `dir` if missing and takes every group and other permission from it and from everything under it.
 * PGlite writes through Node's fs with modes 0666 and 0777, so the umask alone decided who could read the
 * secret hashes and the audit trail. With the folder at 0700 the files it adds later are out of reach too.
 */
export async function restrictToOwner(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await restrictEntry(dir);
  const entries = await readdir(dir, { recursive: true });
  await Promise.all(entries.map((entry) => restrictEntry(join(dir, entry))));
}

async function restrictEntry(path: string): Promise<void> {
  let mode: number;
  try {
    mode = (await lstat(path)).mode;
  } catch (error) {
    // PGlite removes temporary files of its own while the folder is walked.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // A symbolic link has no permissions of its own, and chmod would change whatever it points at.
  if ((mode & constants.S_IFMT) === constants.S_IFLNK || (mode & GROUP_AND_OTHER) === 0) return;
  try {
    await chmod(path, mode & 0o7700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new DataFolderPermissionError(path, mode & 0o7777, { cause: error });
  }
}
