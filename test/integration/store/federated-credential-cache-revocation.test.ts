import { LruFederatedCredentialCache } from '../../../src/adapters/cache/federated-credential-cache.js';
import { HmacFederatedPasswords } from '../../../src/adapters/crypto/hmac-federated-passwords.js';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlFederatedCredentialChangeFeed } from '../../../src/adapters/store/sql-federated-credential-change-feed.js';
import { SqlFederatedCredentialStore } from '../../../src/adapters/store/sql-federated-credential-store.js';
import { SqlServiceSecretStore } from '../../../src/adapters/store/sql-service-secret-store.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { forgetOnChanges } from '../../../src/app/credential-cache-invalidation.js';
import { StoreFederatedCredentialAdmin } from '../../../src/app/federation/federated-credential-admin.js';
import { FederatedCredentialAuthenticator } from '../../../src/app/federation/federated-credential-authenticator.js';
import { forgettingRevocations } from '../../../src/app/federation/federated-credential-cache-invalidation.js';
import { FederatedCredentialRevokedError } from '../../../src/app/federation/federated-credential-errors.js';
import { FederatedCredentials, type MintedCredential } from '../../../src/app/federation/federated-credentials.js';
import type { FederatedCredential, FederatedCredentialStore } from '../../../src/app/federation/federation-ports.js';
import { FIXTURE_T0, trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';
import { RecordingListener } from './change-feed-contract.js';

const available = await postgresAvailable();
const schemas: PostgresTestSchema[] = [];

afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
});

const PROBE_CREDENTIAL: FederatedCredential = {
  id: 999_999_999,
  username: 'oidc-999999999',
  policyId: 3,
  issuerId: 7,
  repositories: ['octo-org/app'],
  scopes: ['read_registry'],
  claims: {},
  subject: 'probe',
  createdAt: FIXTURE_T0,
  expiresAt: new Date(FIXTURE_T0.getTime() + 900_000),
  revokedAt: null,
  lastUsedAt: null,
};

let counter = 0;
const jti = () => `jti-cache-${Date.now().toString(36)}-${(counter += 1)}`;

/** The store with a count of the password lookups that reached it. */
function countingLookups(store: FederatedCredentialStore): { store: FederatedCredentialStore; lookups: () => number } {
  let lookups = 0;
  const counted = Object.create(store) as FederatedCredentialStore;
  counted.findByPasswordDigest = (digest) => {
    lookups += 1;
    return store.findByPasswordDigest(digest);
  };
  return { store: counted, lookups: () => lookups };
}

async function within(milliseconds: number, condition: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + milliseconds;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * `open` gives this replica's database; `other` a second way in to the same data: another replica's
 * connection on PostgreSQL, the same instance on PGlite (one process serves it, so a "hand-written UPDATE").
 */
function cacheRevocationSuite(backend: string, open: () => Promise<{ db: SqlDatabase; other: SqlDatabase; close(): Promise<void> }>) {
  describe(`a remembered minted credential on ${backend}`, () => {
    const clock = new ManualClock(FIXTURE_T0);
    let databases: Awaited<ReturnType<typeof open>>;
    let credentials: FederatedCredentials;
    let authenticator: FederatedCredentialAuthenticator;
    let admin: StoreFederatedCredentialAdmin;
    let lookups: () => number;
    let stopForgetting: () => Promise<void>;

    const mint = (): Promise<MintedCredential> =>
      credentials.mint({ verified: verifiedToken({ jwtId: jti() }), policy: trustPolicy(), claims: { repository: 'octo-org/app' } });
    const logsIn = (minted: MintedCredential) =>
      authenticator.authenticatePassword(minted.username, minted.password).then(
        () => true,
        (error: unknown) => {
          if (error instanceof FederatedCredentialRevokedError) return false;
          throw error;
        },
      );

    beforeAll(async () => {
      databases = await open();
      await migrate(databases.db);
      const sqlStore = new SqlFederatedCredentialStore(databases.db);
      const counted = countingLookups(sqlStore);
      lookups = counted.lookups;
      const cache = new LruFederatedCredentialCache({ maxEntries: 100, ttlMs: 60_000 });
      stopForgetting = await forgetOnChanges(new SqlFederatedCredentialChangeFeed(databases.db), cache);
      // The cache answers nothing until the feed is live: wait for that, with a credential nobody has.
      const probe = PROBE_CREDENTIAL;
      const live = await within(5000, async () => {
        cache.remember(probe, 'probe-digest', cache.ticket());
        return cache.lookup(probe.username, 'probe-digest') !== null;
      });
      if (!live) throw new Error('the change feed did not come up');
      cache.forget(probe.username);
      const passwords = new HmacFederatedPasswords(new SqlServiceSecretStore(databases.db));
      const audit = new AuditTrail(new SqlAuditLog(databases.db), new RecordingLogger());
      credentials = new FederatedCredentials({ store: sqlStore, passwords, tokens: randomOpaqueTokens, clock, audit });
      authenticator = new FederatedCredentialAuthenticator({ store: counted.store, passwords, tokens: randomOpaqueTokens, clock, cache });
      admin = new StoreFederatedCredentialAdmin({ store: forgettingRevocations(sqlStore, cache), clock, audit });
    }, 60_000);

    afterAll(async () => {
      await stopForgetting?.();
      await databases?.close();
    });

    test('logging in again costs no query: the second and later logins are answered from the cache', async () => {
      const minted = await mint();
      const before = lookups();
      for (let login = 0; login < 5; login += 1) expect(await logsIn(minted)).toBe(true);
      expect(lookups() - before).toBe(1);
    });

    test('a revocation through the admin use case stops the very next login, with no wait for the notification', async () => {
      const minted = await mint();
      expect(await logsIn(minted)).toBe(true);
      expect(await logsIn(minted)).toBe(true);
      await admin.revoke(minted.username);
      expect(await logsIn(minted)).toBe(false);
    });

    test('a revocation written elsewhere (another replica, a hand-written UPDATE) stops logins as soon as its notification arrives', async () => {
      const minted = await mint();
      const listener = new RecordingListener();
      const unsubscribe = await new SqlFederatedCredentialChangeFeed(databases.db).subscribe(listener);
      try {
        await listener.until((event) => event === 'resumed');
        expect(await logsIn(minted)).toBe(true);
        expect(await logsIn(minted)).toBe(true);
        await databases.other.query('UPDATE federated_credentials SET revoked_at = $2 WHERE id = $1', [minted.credential.id, FIXTURE_T0]);
        await listener.until((event) => event === `changed:${minted.username}`);
        expect(await within(1000, async () => !(await logsIn(minted)))).toBe(true);
      } finally {
        await unsubscribe();
      }
    });
  });
}

/** The trigger announces what a login depends on, and not the bookkeeping written on every use. */
function changeFeedSuite(backend: string, open: () => Promise<SqlDatabase>) {
  describe(`minted-credential change feed on ${backend}`, () => {
    let db: SqlDatabase;
    let store: SqlFederatedCredentialStore;
    let listener: RecordingListener;
    let unsubscribe: () => Promise<void>;
    let credentials: FederatedCredentials;

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      store = new SqlFederatedCredentialStore(db);
      const passwords = new HmacFederatedPasswords(new SqlServiceSecretStore(db));
      const audit = new AuditTrail(new SqlAuditLog(db), new RecordingLogger());
      credentials = new FederatedCredentials({ store, passwords, tokens: randomOpaqueTokens, clock: new ManualClock(FIXTURE_T0), audit });
      listener = new RecordingListener();
      unsubscribe = await new SqlFederatedCredentialChangeFeed(db).subscribe(listener);
      await listener.until((event) => event === 'resumed');
    }, 60_000);

    afterAll(async () => {
      await unsubscribe?.();
      await db?.close();
    });

    test('a revocation and a deletion are announced with the username; last use and a new refresh token are not', async () => {
      const quiet = await credentials.mint({ verified: verifiedToken({ jwtId: jti() }), policy: trustPolicy(), claims: {} });
      const revoked = await credentials.mint({ verified: verifiedToken({ jwtId: jti() }), policy: trustPolicy(), claims: {} });
      await store.recordUses([{ id: quiet.credential.id, at: FIXTURE_T0 }]);
      await store.setRefreshTokenDigest(quiet.credential.id, `digest-${jti()}`);
      await store.revoke(revoked.credential.id, FIXTURE_T0);
      await listener.until((event) => event === `changed:${revoked.username}`);
      await db.query('DELETE FROM federated_credentials WHERE id = $1', [quiet.credential.id]);
      await listener.until((event) => event === `changed:${quiet.username}`);
      const ours = listener.events.filter((event) => event === `changed:${quiet.username}` || event === `changed:${revoked.username}`);
      expect(ours).toEqual([`changed:${revoked.username}`, `changed:${quiet.username}`]);
    });
  });
}

const openPostgres = (url: string) =>
  openPostgresDatabase({ connectionString: url, poolSize: 4, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());

async function newSchemaUrl(): Promise<string> {
  const schema = await createPostgresTestSchema();
  schemas.push(schema);
  return schema.url;
}

cacheRevocationSuite('embedded PGlite', async () => {
  const db = await openEmbeddedDatabase(null);
  return { db, other: db, close: () => db.close() };
});
changeFeedSuite('embedded PGlite', () => openEmbeddedDatabase(null));

if (available) {
  cacheRevocationSuite('PostgreSQL', async () => {
    const url = await newSchemaUrl();
    const db = openPostgres(url);
    const other = openPostgres(url);
    return { db, other, close: async () => void (await Promise.all([db.close(), other.close()])) };
  });
  changeFeedSuite('PostgreSQL', async () => openPostgres(await newSchemaUrl()));
} else {
  test.skip('PostgreSQL (no PostgreSQL here)', () => undefined);
}
