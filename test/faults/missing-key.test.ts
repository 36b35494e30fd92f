import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKey } from '../../src/adapters/keys/key-directory.js';
import { runCommand, type CommandResult } from '../e2e/support/run-command.js';

// "Missing" and "unreadable" keys are a keys folder that once held a key and lost it: a certificate whose
// private key file is gone, a key file that is not a PEM key, or one that cannot be read. An empty folder is
// a first start (a key is generated); a broken one must never be papered over with a new key.
const MAIN = resolve(fileURLToPath(new URL('../../dist/main.js', import.meta.url)));

describe('a server whose signing key is missing or unreadable refuses to start', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'regauth-missing-key-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A folder with one generated key, broken by `breakIt`; returns the folder and the key's file names. */
  async function brokenKeysFolder(name: string, breakIt: (keyFile: string) => Promise<void>) {
    const dir = join(root, name, 'keys');
    const key = await generateSigningKey(dir, new Date());
    await breakIt(key.keyFile);
    return { dir, keyFile: key.keyFile, certificateFile: key.certificateFile, filesBefore: (await readdir(dir)).sort() };
  }

  function startServer(name: string, keysDir: string): Promise<CommandResult> {
    const workDir = join(root, name);
    return runCommand(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        REGAUTH_DATA_DIR: join(workDir, 'data'),
        REGAUTH_KEYS_DIR: keysDir,
        REGAUTH_HOST: '127.0.0.1',
        REGAUTH_PORT: '0',
        REGAUTH_LOG_FORMAT: 'json',
      },
    });
  }

  test.each([
    {
      what: 'the private key file is gone but its certificate is there',
      breakIt: (keyFile: string) => rm(keyFile),
      message: (keyFile: string, certificateFile: string) =>
        `the private key ${keyFile} is missing, but its certificate ${certificateFile} is there; ` +
        'restore the key file (from the Secret or backup it came from), or delete the certificate if that key was retired on purpose',
    },
    {
      what: 'the key file is not a PEM private key',
      breakIt: (keyFile: string) => writeFile(keyFile, '-----BEGIN PRIVATE KEY-----\ntruncated\n'),
      message: (keyFile: string) => `${keyFile} is not a PEM private key`,
    },
    {
      // CI runs as root, which reads a chmod 000 file anyway; a directory in the key's place is unreadable for all.
      what: 'the key file cannot be read',
      breakIt: async (keyFile: string) => {
        await rm(keyFile);
        await mkdir(keyFile);
      },
      message: (keyFile: string) => `cannot read ${keyFile}: EISDIR: illegal operation on a directory, read`,
    },
  ])('$what: exit 1 with a message naming the file, and no key generated', async ({ what, breakIt, message }) => {
    const name = what.replace(/\W+/g, '-');
    const { dir, keyFile, certificateFile, filesBefore } = await brokenKeysFolder(name, breakIt);

    const result = await startServer(name, dir);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`regauth: cannot start: ${message(keyFile, certificateFile)}\n`);
    expect(result.stderr).not.toContain('    at ');
    expect((await readdir(dir)).sort()).toEqual(filesBefore);
  });
});
