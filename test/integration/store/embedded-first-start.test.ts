import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialiseEmbeddedStore } from '../../../src/adapters/store/embedded-first-start.js';
import { openStore } from '../../../src/adapters/store/open-store.js';
import { DEFAULT_DEPLOY_TOKEN_SORT } from '../../../src/core/deploy-token-sort.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const SETTINGS = { url: null, poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 };

describe('the first start of the embedded store', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-first-start-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a new data folder is created and migrated by a child process; an existing one is left alone', async () => {
    const dataDir = join(dir, 'data');
    const migrations = (await readdir(new URL('../../../migrations/', import.meta.url))).filter((file) => file.endsWith('.sql')).map((file) => file.replace(/\.sql$/, ''));

    const first = await initialiseEmbeddedStore(dataDir);
    expect(first).toEqual({ initialised: true, migrationsApplied: migrations.sort() });
    expect(await readdir(dataDir)).toContain('PG_VERSION');

    expect(await initialiseEmbeddedStore(dataDir)).toEqual({ initialised: false, migrationsApplied: [] });
  }, 60_000);

  test('openStore on a new folder reports every migration once, logs the creation, and serves queries', async () => {
    const logger = new RecordingLogger();
    const opened = await openStore({ ...SETTINGS, dataDir: join(dir, 'data') }, 'server', logger);
    try {
      expect(opened.migrationsApplied).toContain('001_deploy_tokens');
      expect(logger.records.map((record) => record.message)).toEqual(['created the embedded database', 'database migrated']);
      expect(await opened.store.search({ now: new Date(), sort: DEFAULT_DEPLOY_TOKEN_SORT, offset: 0, limit: 10 })).toEqual({ tokens: [], total: 0 });
    } finally {
      await opened.close();
    }
    const reopened = await openStore({ ...SETTINGS, dataDir: join(dir, 'data') }, 'server', new RecordingLogger());
    expect(reopened.migrationsApplied).toEqual([]);
    await reopened.close();
  }, 60_000);

  test('a folder that cannot hold a database fails with a message naming it', async () => {
    const notAFolder = join(dir, 'file');
    await writeFile(notAFolder, 'x');
    await expect(initialiseEmbeddedStore(notAFolder)).rejects.toThrow(`could not create the embedded database in ${notAFolder}`);
  }, 60_000);
});
