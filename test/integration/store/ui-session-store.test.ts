import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminKeys } from '../../../src/app/admin-keys.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { InvalidAdminKeyError } from '../../../src/app/errors.js';
import { UiSessions } from '../../../src/app/ui-sessions.js';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { SqlAdminKeyStore } from '../../../src/adapters/store/sql-admin-key-store.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlUiSessionStore } from '../../../src/adapters/store/sql-ui-session-store.js';
import { RecordingLoginThrottle } from '../../support/fake-ports.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const START = new Date('2026-06-01T10:00:00Z');
const SETTINGS = { idleSeconds: 1_800, absoluteSeconds: 43_200 };

function uiSessionContract(name: string, openDatabase: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>) {
  describe(`UI sessions on ${name}`, () => {
    let db: SqlDatabase;
    let close: () => Promise<void>;
    let clock: ManualClock;
    let throttle: RecordingLoginThrottle;
    let adminKeys: AdminKeys;
    let sessions: UiSessions;
    let store: SqlUiSessionStore;

    beforeEach(async () => {
      ({ db, close } = await openDatabase());
      await migrate(db);
      clock = new ManualClock(START);
      throttle = new RecordingLoginThrottle();
      const audit = new AuditTrail(new SqlAuditLog(db), new RecordingLogger(), [], { durability: 'durable', groupCommitMs: 0, maxBatch: 10 });
      const adminKeyStore = new SqlAdminKeyStore(db);
      adminKeys = new AdminKeys({ store: adminKeyStore, tokens: randomOpaqueTokens, clock, audit });
      store = new SqlUiSessionStore(db);
      sessions = new UiSessions({ store, adminKeys, adminKeyStore, tokens: randomOpaqueTokens, clock, throttle, settings: SETTINGS });
    });

    afterEach(async () => {
      await close();
    });

    test('an admin key signs in as admin; only the digest of the session id is stored', async () => {
      const { key } = await adminKeys.create('alice');
      const started = await sessions.signInWithAdminKey(key, '192.0.2.7');
      expect(started.session).toMatchObject({ role: 'admin', actor: 'admin-key:alice via ui', displayName: 'alice' });
      expect(started.sessionId.startsWith('regauth_uis_')).toBe(true);
      const rows = await db.query<{ id_hash: string }>('SELECT id_hash FROM ui_sessions');
      expect(rows).toEqual([{ id_hash: randomOpaqueTokens.digest(started.sessionId) }]);
      expect(await sessions.resume(started.sessionId)).toMatchObject({ role: 'admin' });
    });

    test('a wrong key is refused and counted by the brute-force protection', async () => {
      await expect(sessions.signInWithAdminKey('regauth_admin_wrong', '192.0.2.7')).rejects.toBeInstanceOf(InvalidAdminKeyError);
      expect(throttle.calls.map(([method]) => method)).toEqual(['assertAllowed', 'recordFailure']);
      expect(await db.query('SELECT 1 FROM ui_sessions')).toEqual([]);
    });

    test('a session ends when idle past the timeout, at its absolute end, and when its admin key is revoked', async () => {
      const { key, adminKey } = await adminKeys.create('bob');
      const idle = await sessions.signInWithAdminKey(key, '192.0.2.7');
      clock.advance(SETTINGS.idleSeconds * 1000);
      expect(await sessions.resume(idle.sessionId)).toBeNull();

      const busy = await sessions.signInWithAdminKey(key, '192.0.2.7');
      // Used every 25 minutes: never idle, yet over at 12 hours.
      for (let step = 0; step < 28; step += 1) {
        clock.advance(1_500_000);
        expect(await sessions.resume(busy.sessionId)).not.toBeNull();
      }
      clock.advance(1_500_000);
      expect(await sessions.resume(busy.sessionId)).toBeNull();

      const revoked = await sessions.signInWithAdminKey(key, '192.0.2.7');
      await adminKeys.revoke(adminKey.id);
      expect(await sessions.resume(revoked.sessionId)).toBeNull();
    });

    test('signing in again replaces the old session id; ending one removes it', async () => {
      const { key } = await adminKeys.create('carol');
      const first = await sessions.signInWithAdminKey(key, '192.0.2.7');
      const second = await sessions.signInWithAdminKey(key, '192.0.2.7', first.sessionId);
      expect(second.sessionId).not.toBe(first.sessionId);
      expect(await sessions.resume(first.sessionId)).toBeNull();
      await sessions.end(second.sessionId);
      expect(await sessions.resume(second.sessionId)).toBeNull();
    });

    test('a single sign-on principal gets the role it was given, and prune deletes ended sessions', async () => {
      const viewer = await sessions.start({ kind: 'sso', subject: 'u-42', email: 'dana@example.com', role: 'viewer' });
      expect(viewer.session).toMatchObject({ role: 'viewer', actor: 'sso:u-42 <dana@example.com> via ui', displayName: 'dana@example.com' });
      clock.advance(SETTINGS.idleSeconds * 1000 + 1);
      expect(await sessions.prune()).toBe(1);
      expect(await store.find(randomOpaqueTokens.digest(viewer.sessionId))).toBeNull();
    });
  });
}

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

uiSessionContract('embedded PGlite', async () => {
  dataDir ??= await mkdtemp(join(tmpdir(), 'regauth-ui-sessions-'));
  const db = await openEmbeddedDatabase(null);
  return { db, close: () => db.close() };
});

if (await postgresAvailable()) {
  const schemas: PostgresTestSchema[] = [];
  afterAll(async () => {
    await Promise.all(schemas.map((schema) => schema.drop()));
  });
  uiSessionContract('PostgreSQL', async () => {
    const schema = await createPostgresTestSchema();
    schemas.push(schema);
    const db = openPostgresDatabase({ connectionString: schema.url, poolSize: 2, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());
    return { db, close: () => db.close() };
  });
} else {
  test.skip('PostgreSQL UI sessions (no PostgreSQL here)', () => undefined);
}
