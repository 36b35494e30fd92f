import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { missingDependency, SETUP_SCRIPT } from '../../support/missing-dependency.js';
// Daemons live in sbin, which a non-login shell's PATH may lack.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of a binary (a name searched on PATH, or an absolute path), or null. */
export function findTool(name: string): string | null {
  if (isAbsolute(name)) return isExecutableFile(name) ? name : null;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Like findTool, but a missing tool is an error. */
export function toolPath(name: string): string {
  const path = findTool(name);
  if (path === null) throw new Error(`${name} is not installed; run ${SETUP_SCRIPT}`);
  return path;
}

/**
 * True when every tool is installed. Otherwise, in CI it throws, because a missing dependency there must
 * fail the run; elsewhere it warns loudly and returns false so the caller can skip.
 */
export function requireTools(names: string[]): boolean {
  const missing = names.filter((name) => findTool(name) === null);
  return missing.length === 0 || missingDependency(`${missing.join(', ')} (not installed)`);
}
