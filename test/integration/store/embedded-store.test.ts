import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { changeFeedContract } from './change-feed-contract.js';
import { deployTokenSearchContract } from './deploy-token-search-contract.js';
import { deployTokenStoreContract } from './deploy-token-store-contract.js';
import { lifecycleStoreContract } from './lifecycle-store-contract.js';

let dataDir: string;

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

deployTokenStoreContract('embedded PGlite', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'regauth-pglite-'));
  const db = await openEmbeddedDatabase(dataDir);
  return {
    db,
    // PGlite is one session in one process: a second "replica" is a second caller on the same instance.
    openEmptyPair: async () => {
      const empty = await openEmbeddedDatabase(null);
      return { first: empty, second: empty, close: () => empty.close() };
    },
  };
});

// In memory: the lifecycle contract needs a fresh database, not the data folder above.
lifecycleStoreContract('embedded PGlite', () => openEmbeddedDatabase(null));
changeFeedContract('embedded PGlite', () => openEmbeddedDatabase(null));
deployTokenSearchContract('embedded PGlite', () => openEmbeddedDatabase(null));
