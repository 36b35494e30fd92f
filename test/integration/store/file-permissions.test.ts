import { chmod, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, writeRegistryFiles } from '../../../src/adapters/keys/key-directory.js';
import { openStore, type DatabaseSettings } from '../../../src/adapters/store/open-store.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const GROUP_AND_OTHER = 0o077;
const GROUP_AND_OTHER_WRITE = 0o022;

/** Every file and folder under `root`, with its permission bits, as `path mode` lines (octal). */
async function modesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return Promise.all(entries.map(async (entry) => `${entry} ${((await lstat(join(root, entry))).mode & 0o777).toString(8)}`));
}

const modeOf = async (path: string) => (await lstat(path)).mode & 0o777;
const withBits = (lines: readonly string[], bits: number) => lines.filter((line) => Number.parseInt(line.split(' ').at(-1) as string, 8) & bits);

const settingsFor = (dataDir: string): DatabaseSettings => ({ url: null, dataDir, poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });

// umask 000: whatever mode a library asks for is what a file gets, so only regauth's own care keeps them private.
let umaskBefore: number;
let root: string;

beforeAll(async () => {
  umaskBefore = process.umask(0);
  root = await mkdtemp(join(tmpdir(), 'rgperm-'));
});

afterAll(async () => {
  process.umask(umaskBefore);
  await rm(root, { recursive: true, force: true });
});

describe('the embedded store keeps its files to its owner (0700 folders, 0600 files)', () => {
  test('a new data folder: private while open, and every file PGlite wrote is private after close', async () => {
    const dataDir = join(root, 'new', 'data');
    const opened = await openStore(settingsFor(dataDir), 'cli', new RecordingLogger());
    try {
      expect(await modeOf(dataDir)).toBe(0o700);
      await opened.adminKeys.create({ name: 'ci', keyHash: 'a'.repeat(64), createdAt: new Date() });
    } finally {
      await opened.close();
    }
    const modes = await modesUnder(dataDir);
    expect(modes.length).toBeGreaterThan(100);
    expect(withBits(modes, GROUP_AND_OTHER)).toEqual([]);
  }, 60_000);

  test('a data folder that already existed open to everyone is made private when the store opens', async () => {
    const dataDir = join(root, 'existing');
    await mkdir(dataDir, { mode: 0o777 });
    await chmod(dataDir, 0o777);
    const opened = await openStore(settingsFor(dataDir), 'cli', new RecordingLogger());
    try {
      expect(await modeOf(dataDir)).toBe(0o700);
    } finally {
      await opened.close();
    }
    expect(withBits(await modesUnder(dataDir), GROUP_AND_OTHER)).toEqual([]);
  }, 60_000);
});

describe('links', () => {
  test('a link inside the data folder is left alone, and so is the file it names', async () => {
    const dataDir = join(root, 'with-link');
    const outside = join(root, 'outside.txt');
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(outside, 'not the store', { mode: 0o644 });
    await symlink(outside, join(dataDir, 'link-to-outside'));

    const opened = await openStore(settingsFor(dataDir), 'cli', new RecordingLogger());
    await opened.close();

    expect(await modeOf(outside)).toBe(0o644);
  }, 60_000);
});

describe('the keys folder', () => {
  test('the private key is 0600; nothing in the folder, nor the folder, is writable by group or others', async () => {
    const keysDir = join(root, 'keys');
    const key = await generateSigningKey(keysDir, new Date(), { algorithm: 'ES256' });
    await writeRegistryFiles(keysDir, { bundlePath: join(keysDir, 'bundle.pem'), jwksPath: join(keysDir, 'jwks.json') }, new Date(), {
      tolerateReadOnly: false,
    });

    expect(await modeOf(key.keyFile)).toBe(0o600);
    expect(await modeOf(keysDir) & GROUP_AND_OTHER_WRITE).toBe(0);
    expect(withBits(await modesUnder(keysDir), GROUP_AND_OTHER_WRITE)).toEqual([]);
  });
});
