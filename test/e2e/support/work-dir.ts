import { mkdtemp, rm } from 'node:fs/promises';

const KEEP_ENV = 'REGAUTH_E2E_KEEP';

/** A fresh directory with a short path, since unix socket paths inside it are limited to 107 bytes. */
export function makeWorkDir(): Promise<string> {
  return mkdtemp('/tmp/re2e-');
}

/** Removes the directory, unless REGAUTH_E2E_KEEP=1 asks to keep it (with the daemon logs) for debugging. */
export async function removeWorkDir(dir: string): Promise<void> {
  if (process.env[KEEP_ENV] === '1') {
    console.warn(`${KEEP_ENV}=1: keeping ${dir}`);
    return;
  }
  await rm(dir, { recursive: true, force: true });
}
