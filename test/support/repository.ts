import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above `start` holding a package.json (also right when this file is compiled elsewhere). */
function packageRootAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/** The checkout's root folder. */
export const REPOSITORY_ROOT = packageRootAbove(dirname(fileURLToPath(import.meta.url)));
