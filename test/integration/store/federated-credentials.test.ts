import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { federatedCredentialStoreContract } from './federated-credential-store-contract.js';

const available = await postgresAvailable();
let schema: PostgresTestSchema | null = null;

afterAll(async () => {
  await schema?.drop();
});

federatedCredentialStoreContract('embedded PGlite', () => openEmbeddedDatabase(null));

if (available) {
  federatedCredentialStoreContract('PostgreSQL', async () => {
    schema = await createPostgresTestSchema();
    return openPostgresDatabase({ connectionString: schema.url, poolSize: 4, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());
  });
} else {
  test.skip('PostgreSQL contract (no PostgreSQL here)', () => undefined);
}
