import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { HmacFederatedPasswords } from '../../../src/adapters/crypto/hmac-federated-passwords.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlFederatedCredentialStore } from '../../../src/adapters/store/sql-federated-credential-store.js';
import { SqlServiceSecretStore } from '../../../src/adapters/store/sql-service-secret-store.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { FederatedCredentialAuthenticator } from '../../../src/app/federation/federated-credential-authenticator.js';
import { FederatedCredentialRetention } from '../../../src/app/federation/federated-credential-retention.js';
import { FederatedCredentials } from '../../../src/app/federation/federated-credentials.js';
import { IdentityTokenError } from '../../../src/app/federation/federation-errors.js';
import type { IdentityTokenUse, NewFederatedCredential } from '../../../src/app/federation/federation-ports.js';
import { isWellFormedFederatedPassword } from '../../../src/core/federation/federated-password.js';
import { FIXTURE_T0, trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const at = (ms: number) => new Date(FIXTURE_T0.getTime() + ms);

let counter = 0;
const unique = (label: string) => `${label}-${(counter += 1)}`;

function use(overrides: Partial<IdentityTokenUse> = {}): IdentityTokenUse {
  return { issuerId: 7, jwtId: unique('jti'), tokenDigest: unique('digest'), expiresAt: at(6 * MINUTE), ...overrides };
}

function credential(overrides: Partial<NewFederatedCredential> = {}): NewFederatedCredential {
  return {
    passwordDigest: unique('password-digest'),
    refreshTokenDigest: null,
    policyId: 3,
    issuerId: 7,
    repositories: ['octo-org/app'],
    scopes: ['write_registry'],
    claims: { repository: 'octo-org/app', run_id: '42' },
    subject: 'repo:octo-org/app:ref:refs/heads/main',
    jwtId: 'jti',
    createdAt: FIXTURE_T0,
    expiresAt: at(15 * MINUTE),
    ...overrides,
  };
}

/** Minted credentials, identity-token uses and service secrets on a real SQL backend, on a fresh database. */
export function federatedCredentialStoreContract(backend: string, open: () => Promise<SqlDatabase>): void {
  describe(`minted credentials on ${backend}`, () => {
    let db: SqlDatabase;
    let store: SqlFederatedCredentialStore;

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      store = new SqlFederatedCredentialStore(db);
    }, 60_000);

    afterAll(async () => {
      await db?.close();
    });

    test('mintOnce stores the credential under oidc-<id> and refuses any later use of the (issuer, jti)', async () => {
      const first = use();
      const minted = await store.mintOnce(first, credential());
      expect(minted.outcome).toBe('minted');
      if (minted.outcome !== 'minted') return;
      expect(minted.credential).toMatchObject({
        username: `oidc-${minted.credential.id}`,
        policyId: 3,
        issuerId: 7,
        repositories: ['octo-org/app'],
        scopes: ['write_registry'],
        claims: { repository: 'octo-org/app', run_id: '42' },
        revokedAt: null,
        lastUsedAt: null,
      });
      expect(minted.credential.expiresAt).toStrictEqual(at(15 * MINUTE));
      expect(await store.mintOnce(first, credential())).toStrictEqual({ outcome: 'replayed' });
      expect(await store.mintOnce({ ...first, tokenDigest: 'another token' }, credential())).toStrictEqual({ outcome: 'replayed' });
      expect((await store.mintOnce({ ...first, issuerId: 8 }, credential())).outcome).toBe('minted');
    });

    test('a replayed mint stores no credential', async () => {
      const first = use();
      const digest = unique('password-digest');
      await store.mintOnce(first, credential());
      await store.mintOnce(first, credential({ passwordDigest: digest }));
      expect(await store.findByPasswordDigest(digest)).toBeNull();
    });

    test('mintIdempotent gives the same token its credential back, refuses another token with the jti, and mints anew once it expired', async () => {
      const first = use();
      const builds: number[] = [];
      const build = async (mint: number) => {
        builds.push(mint);
        return credential({ expiresAt: at(mint * 15 * MINUTE) });
      };
      const expiredBy = (now: Date) => (existing: { expiresAt: Date; revokedAt: Date | null }) =>
        existing.revokedAt === null && existing.expiresAt <= now;

      const minted = await store.mintIdempotent(first, build, expiredBy(FIXTURE_T0));
      expect(minted).toMatchObject({ outcome: 'minted', mint: 1 });
      const again = await store.mintIdempotent(first, build, expiredBy(at(MINUTE)));
      expect(again).toStrictEqual({ outcome: 'existing', mint: 1, credential: minted.outcome === 'minted' ? minted.credential : null });
      expect(await store.mintIdempotent({ ...first, tokenDigest: 'another token' }, build, expiredBy(at(MINUTE)))).toStrictEqual({
        outcome: 'replayed',
      });

      const afterExpiry = await store.mintIdempotent(first, build, expiredBy(at(16 * MINUTE)));
      expect(afterExpiry).toMatchObject({ outcome: 'minted', mint: 2 });
      if (afterExpiry.outcome !== 'minted' || minted.outcome !== 'minted') return;
      expect(afterExpiry.credential.id).not.toBe(minted.credential.id);
      expect(await store.mintIdempotent(first, build, expiredBy(at(17 * MINUTE)))).toMatchObject({
        outcome: 'existing',
        mint: 2,
        credential: { id: afterExpiry.credential.id },
      });
      expect(builds).toStrictEqual([1, 2]);
    });

    test('a revoked credential comes back as it is, for the caller to refuse', async () => {
      const first = use();
      const minted = await store.mintIdempotent(first, async () => credential(), () => false);
      if (minted.outcome !== 'minted') throw new Error('expected a mint');
      await store.revoke(minted.credential.id, at(MINUTE));
      const again = await store.mintIdempotent(first, async () => credential(), (existing) => existing.revokedAt === null);
      expect(again).toMatchObject({ outcome: 'existing', credential: { id: minted.credential.id, revokedAt: at(MINUTE) } });
    });

    test('finds a credential by its password digest (returned for the comparison), username, id and refresh-token digest', async () => {
      const passwordDigest = unique('password-digest');
      const minted = await store.mintOnce(use(), credential({ passwordDigest, refreshTokenDigest: unique('refresh') }));
      if (minted.outcome !== 'minted') throw new Error('expected a mint');
      expect(await store.findByPasswordDigest(passwordDigest)).toStrictEqual({ credential: minted.credential, passwordDigest });
      expect(await store.findByUsername(minted.credential.username)).toStrictEqual(minted.credential);
      expect(await store.findById(minted.credential.id)).toStrictEqual(minted.credential);
      expect(await store.findByPasswordDigest('unknown')).toBeNull();

      const refresh = unique('refresh');
      expect(await store.setRefreshTokenDigest(minted.credential.id, refresh)).toBe(true);
      expect(await store.findByRefreshTokenDigest(refresh)).toStrictEqual(minted.credential);
      const replacement = unique('refresh');
      await store.setRefreshTokenDigest(minted.credential.id, replacement);
      expect(await store.findByRefreshTokenDigest(refresh)).toBeNull();
      expect((await store.findByRefreshTokenDigest(replacement))?.id).toBe(minted.credential.id);
      expect(await store.setRefreshTokenDigest(9_999_999, unique('refresh'))).toBe(false);
    });

    test('revoke keeps the first revocation time; lists filter by status as of now and page by id', async () => {
      const afterId = Number((await db.query<{ id: string | null }>('SELECT max(id) AS id FROM federated_credentials'))[0]?.id ?? 0);
      const mint = async (expiresAt: Date) => {
        const minted = await store.mintOnce(use(), credential({ expiresAt }));
        if (minted.outcome !== 'minted') throw new Error('expected a mint');
        return minted.credential;
      };
      const active = await mint(at(15 * MINUTE));
      const expired = await mint(at(MINUTE));
      const revoked = await mint(at(15 * MINUTE));
      expect((await store.revoke(revoked.id, at(2 * MINUTE)))?.revokedAt).toStrictEqual(at(2 * MINUTE));
      expect((await store.revoke(revoked.id, at(3 * MINUTE)))?.revokedAt).toStrictEqual(at(2 * MINUTE));
      expect(await store.revoke(9_999_999, at(3 * MINUTE))).toBeNull();

      const now = at(5 * MINUTE);
      const ids = async (status?: 'active' | 'expired' | 'revoked') =>
        (await store.list({ now, afterId, ...(status === undefined ? {} : { status }) })).map((found) => found.id);
      expect(await ids()).toStrictEqual([active.id, expired.id, revoked.id]);
      expect(await ids('active')).toStrictEqual([active.id]);
      expect(await ids('expired')).toStrictEqual([expired.id]);
      expect(await ids('revoked')).toStrictEqual([revoked.id]);
      expect((await store.list({ now, afterId: active.id, limit: 1 })).map((found) => found.id)).toStrictEqual([expired.id]);
    });

    test('recordUses keeps the latest use and never moves last_used_at backwards', async () => {
      const minted = await store.mintOnce(use(), credential());
      if (minted.outcome !== 'minted') throw new Error('expected a mint');
      const { id } = minted.credential;
      await store.recordUses([
        { id, at: at(2 * MINUTE) },
        { id, at: at(3 * MINUTE) },
      ]);
      await store.recordUses([{ id, at: at(MINUTE) }]);
      expect((await store.findById(id))?.lastUsedAt).toStrictEqual(at(3 * MINUTE));
    });

    test('pruning deletes uses past their expiry, and expired credentials only once no use names them', async () => {
      await db.query('DELETE FROM identity_token_uses');
      await db.query('DELETE FROM federated_credentials');
      const guarded = use({ expiresAt: at(2 * DAY) });
      const guardedMint = await store.mintOnce(guarded, credential({ expiresAt: at(MINUTE) }));
      const unguarded = use({ expiresAt: at(2 * MINUTE) });
      const unguardedMint = await store.mintOnce(unguarded, credential({ expiresAt: at(MINUTE) }));
      const live = await store.mintOnce(use({ expiresAt: at(2 * MINUTE) }), credential({ expiresAt: at(60 * MINUTE) }));
      if (guardedMint.outcome !== 'minted' || unguardedMint.outcome !== 'minted' || live.outcome !== 'minted') throw new Error('expected mints');

      const clock = new ManualClock(at(10 * MINUTE));
      const retention = new FederatedCredentialRetention({ store, clock, logger: new RecordingLogger(), batchSize: 1 });
      clock.set(at(DAY + 10 * MINUTE));
      expect(await retention.prune()).toStrictEqual({ identityTokenUses: 2, credentials: 1 });
      expect(await store.findById(unguardedMint.credential.id)).toBeNull();
      expect(await store.findById(live.credential.id)).not.toBeNull();
      // The guarded credential's use lives until its token's exp + leeway: the credential stays with it.
      expect(await store.findById(guardedMint.credential.id)).not.toBeNull();
      expect(await store.mintOnce(guarded, credential())).toStrictEqual({ outcome: 'replayed' });
      clock.set(at(3 * DAY + MINUTE));
      expect(await retention.prune()).toStrictEqual({ identityTokenUses: 1, credentials: 2 });
      expect((await store.mintOnce(guarded, credential())).outcome).toBe('minted');
    });

    test('a service secret is made once and read back, whoever asks later with another value', async () => {
      const secrets = new SqlServiceSecretStore(db);
      const name = unique('secret');
      expect(await secrets.getOrCreate(name, () => 'first value')).toBe('first value');
      expect(await secrets.getOrCreate(name, () => 'second value')).toBe('first value');
    });

    describe('the mint use case on the store', () => {
      const clock = new ManualClock(FIXTURE_T0);
      let credentials: FederatedCredentials;
      let authenticator: FederatedCredentialAuthenticator;
      let auditLog: SqlAuditLog;

      beforeAll(() => {
        const passwords = new HmacFederatedPasswords(new SqlServiceSecretStore(db));
        auditLog = new SqlAuditLog(db);
        const audit = new AuditTrail(auditLog, new RecordingLogger());
        credentials = new FederatedCredentials({ store, passwords, tokens: randomOpaqueTokens, clock, audit });
        authenticator = new FederatedCredentialAuthenticator({ store, passwords, tokens: randomOpaqueTokens, clock });
      });

      test('once: a minted password logs in; the jti again is identity_token_replayed', async () => {
        const verified = verifiedToken({ jwtId: unique('jti') });
        const minted = await credentials.mint({ verified, policy: trustPolicy(), claims: { repository: 'octo-org/app' } });
        expect(isWellFormedFederatedPassword(minted.password)).toBe(true);
        expect(minted.expiresAt).toStrictEqual(at(15 * MINUTE));
        expect((await authenticator.authenticatePassword(minted.username, minted.password)).id).toBe(minted.credential.id);
        await expect(credentials.mint({ verified, policy: trustPolicy(), claims: {} })).rejects.toMatchObject({
          code: 'identity_token_replayed',
        });
      });

      test('idempotent: the same token gets the same username and password, computed again from the stored key', async () => {
        const verified = verifiedToken({ jwtId: unique('jti'), replayMode: 'idempotent' });
        const first = await credentials.mint({ verified, policy: trustPolicy(), claims: {} });
        const second = await credentials.mint({ verified, policy: trustPolicy(), claims: {} });
        const otherProcess = new FederatedCredentials({
          store,
          passwords: new HmacFederatedPasswords(new SqlServiceSecretStore(db)),
          tokens: randomOpaqueTokens,
          clock,
          audit: new AuditTrail(auditLog, new RecordingLogger()),
        });
        const third = await otherProcess.mint({ verified, policy: trustPolicy(), claims: {} });
        expect([second.username, second.password]).toStrictEqual([first.username, first.password]);
        expect([third.username, third.password]).toStrictEqual([first.username, first.password]);
        const otherToken = verifiedToken({ jwtId: verified.jwtId, token: 'a different token', replayMode: 'idempotent' });
        await expect(credentials.mint({ verified: otherToken, policy: trustPolicy(), claims: {} })).rejects.toBeInstanceOf(IdentityTokenError);
      });
    });
  });
}
