import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { changeFeedContract } from './change-feed-contract.js';
import { deployTokenSearchContract } from './deploy-token-search-contract.js';
import { deployTokenStoreContract } from './deploy-token-store-contract.js';
import { lifecycleStoreContract } from './lifecycle-store-contract.js';

const available = await postgresAvailable();
const schemas: PostgresTestSchema[] = [];

afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
});

async function newSchemaUrl(): Promise<string> {
  const schema = await createPostgresTestSchema();
  schemas.push(schema);
  return schema.url;
}

const open = (url: string) =>
  openPostgresDatabase({ connectionString: url, poolSize: 4, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());

if (available) {
  deployTokenStoreContract('PostgreSQL', async () => {
    return {
      db: open(await newSchemaUrl()),
      openEmptyPair: async () => {
        const url = await newSchemaUrl();
        const first = open(url);
        const second = open(url);
        return { first, second, close: async () => void (await Promise.all([first.close(), second.close()])) };
      },
    };
  });
  lifecycleStoreContract('PostgreSQL', async () => open(await newSchemaUrl()));
  changeFeedContract('PostgreSQL', async () => open(await newSchemaUrl()));
  deployTokenSearchContract('PostgreSQL', async () => open(await newSchemaUrl()));
} else {
  test.skip('PostgreSQL contract (no PostgreSQL here)', () => undefined);
}
