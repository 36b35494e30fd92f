import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { HmacFederatedPasswords } from '../../../src/adapters/crypto/hmac-federated-passwords.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlFederatedCredentialStore } from '../../../src/adapters/store/sql-federated-credential-store.js';
import { SqlServiceSecretStore } from '../../../src/adapters/store/sql-service-secret-store.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { FederatedCredentials, type MintedCredential } from '../../../src/app/federation/federated-credentials.js';
import { IdentityTokenError } from '../../../src/app/federation/federation-errors.js';
import { FIXTURE_T0, trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

/** Rounds of two simultaneous presentations: enough that the two transactions really overlap many times. */
const ROUNDS = 60;

const available = await postgresAvailable();

/**
 * Two replicas (two pools on one database, each with its own use case and its own copy of the HMAC key)
 * presented with the same identity token at the same moment.
 */
(available ? describe : describe.skip)('replay of one jti on two PostgreSQL connections at once', () => {
  let schema: PostgresTestSchema;
  const databases: SqlDatabase[] = [];
  let replicas: [FederatedCredentials, FederatedCredentials];
  let store: SqlFederatedCredentialStore;

  const replica = (db: SqlDatabase) =>
    new FederatedCredentials({
      store: new SqlFederatedCredentialStore(db),
      passwords: new HmacFederatedPasswords(new SqlServiceSecretStore(db)),
      tokens: randomOpaqueTokens,
      clock: new ManualClock(FIXTURE_T0),
      audit: new AuditTrail(new SqlAuditLog(db), new RecordingLogger()),
    });

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    const open = () =>
      openPostgresDatabase({ connectionString: schema.url, poolSize: 2, connectTimeoutMs: 3000, queryTimeoutMs: 10_000 }, new RecordingLogger());
    databases.push(open(), open());
    await migrate(databases[0] as SqlDatabase);
    replicas = [replica(databases[0] as SqlDatabase), replica(databases[1] as SqlDatabase)];
    store = new SqlFederatedCredentialStore(databases[0] as SqlDatabase);
    // Warm both pools and both keys, so the rounds race on the mint itself.
    await Promise.all(replicas.map((each, index) => each.mint({ verified: verifiedToken({ jwtId: `warm-${index}` }), policy: trustPolicy(), claims: {} })));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(databases.map((db) => db.close()));
    await schema?.drop();
  });

  const presentTogether = (jwtId: string, replayMode: 'once' | 'idempotent') => {
    const verified = verifiedToken({ jwtId, replayMode });
    return Promise.allSettled(replicas.map((each) => each.mint({ verified, policy: trustPolicy(), claims: { run_id: jwtId } })));
  };

  test('once: in every round exactly one wins and the other is identity_token_replayed; one credential is stored', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const jwtId = `once-${round}`;
      const results = await presentTogether(jwtId, 'once');
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect([won.length, lost.length]).toStrictEqual([1, 1]);
      expect(lost[0]?.reason).toBeInstanceOf(IdentityTokenError);
      expect((lost[0]?.reason as IdentityTokenError).code).toBe('identity_token_replayed');
    }
    const stored = await (databases[0] as SqlDatabase).query<{ count: string | number }>(
      "SELECT count(*) AS count FROM federated_credentials WHERE jwt_id LIKE 'once-%'",
    );
    expect(Number(stored[0]?.count)).toBe(ROUNDS);
  }, 120_000);

  test('idempotent: in every round both get the same credential, username and password', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const results = await presentTogether(`idempotent-${round}`, 'idempotent');
      expect(results.map((result) => result.status)).toStrictEqual(['fulfilled', 'fulfilled']);
      const [first, second] = results.map((result) => (result as PromiseFulfilledResult<MintedCredential>).value);
      expect(second?.credential.id).toBe(first?.credential.id);
      expect([second?.username, second?.password]).toStrictEqual([first?.username, first?.password]);
    }
    const stored = await (databases[0] as SqlDatabase).query<{ count: string | number }>(
      "SELECT count(*) AS count FROM federated_credentials WHERE jwt_id LIKE 'idempotent-%'",
    );
    expect(Number(stored[0]?.count)).toBe(ROUNDS);
    expect((await store.list({ now: FIXTURE_T0 })).length).toBeGreaterThanOrEqual(2 * ROUNDS);
  }, 120_000);

  test('idempotent: a different token with a jti in use is refused, even presented at the same moment as the first', async () => {
    for (let round = 0; round < ROUNDS / 3; round += 1) {
      const jwtId = `split-${round}`;
      const results = await Promise.allSettled([
        replicas[0].mint({ verified: verifiedToken({ jwtId, token: `a-${round}`, replayMode: 'idempotent' }), policy: trustPolicy(), claims: {} }),
        replicas[1].mint({ verified: verifiedToken({ jwtId, token: `b-${round}`, replayMode: 'idempotent' }), policy: trustPolicy(), claims: {} }),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    }
  }, 120_000);
});
