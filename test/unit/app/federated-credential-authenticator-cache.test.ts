import { randomBytes } from 'node:crypto';
import { LruFederatedCredentialCache } from '../../../src/adapters/cache/federated-credential-cache.js';
import { forgetOnChanges } from '../../../src/app/credential-cache-invalidation.js';
import { InvalidCredentialsError } from '../../../src/app/errors.js';
import { StoreFederatedCredentialAdmin } from '../../../src/app/federation/federated-credential-admin.js';
import { FederatedCredentialAuthenticator } from '../../../src/app/federation/federated-credential-authenticator.js';
import { forgettingRevocations } from '../../../src/app/federation/federated-credential-cache-invalidation.js';
import { FederatedCredentialExpiredError, FederatedCredentialRevokedError } from '../../../src/app/federation/federated-credential-errors.js';
import type { FederatedCredential, FederatedCredentialStore, FederatedPasswords } from '../../../src/app/federation/federation-ports.js';
import type { DeployTokenChangeFeed, DeployTokenChangeListener } from '../../../src/app/ports.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { composeFederatedPassword } from '../../../src/core/federation/federated-password.js';
import { InMemoryAuditLog } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const PASSWORD = composeFederatedPassword(randomBytes(32));

/** A feed the test drives by hand, as PostgreSQL's NOTIFY would. */
class ManualChangeFeed implements DeployTokenChangeFeed {
  listener: DeployTokenChangeListener | null = null;
  async subscribe(listener: DeployTokenChangeListener): Promise<() => Promise<void>> {
    this.listener = listener;
    listener.resumed();
    return async () => {
      this.listener = null;
    };
  }
}

/** Digests are the password reversed: enough to tell one from another. */
const passwords: FederatedPasswords = {
  random: () => PASSWORD,
  derived: async () => PASSWORD,
  digest: async (password) => [...password].reverse().join(''),
  digestsEqual: (a, b) => a === b,
};

/** One credential, its password lookups counted; only what the login and the admin's revoke use. */
class OneCredentialStore {
  lookups = 0;
  credential: FederatedCredential = {
    id: 12,
    username: 'oidc-12',
    policyId: 3,
    issuerId: 7,
    repositories: ['octo-org/app'],
    scopes: ['read_registry'],
    claims: {},
    subject: 'repo:octo-org/app:ref:refs/heads/main',
    createdAt: T0,
    expiresAt: new Date(T0.getTime() + 900_000),
    revokedAt: null,
    lastUsedAt: null,
  };

  asStore(): FederatedCredentialStore {
    const unused = () => Promise.reject(new Error('not used here'));
    return {
      mintOnce: unused,
      mintIdempotent: unused,
      findById: async (id) => (id === this.credential.id ? this.credential : null),
      findByUsername: async (username) => (username === this.credential.username ? this.credential : null),
      findByPasswordDigest: async (digest) => {
        this.lookups += 1;
        const stored = await passwords.digest(PASSWORD);
        return digest === stored ? { credential: this.credential, passwordDigest: stored } : null;
      },
      findByRefreshTokenDigest: unused,
      setRefreshTokenDigest: unused,
      list: unused,
      revoke: async (id, at) => {
        if (id !== this.credential.id) return null;
        this.credential = { ...this.credential, revokedAt: this.credential.revokedAt ?? at };
        return this.credential;
      },
      recordUses: unused,
      deleteExpiredUses: unused,
      deleteExpiredCredentials: unused,
    };
  }
}

describe('FederatedCredentialAuthenticator with a cache', () => {
  let fake: OneCredentialStore;
  let feed: ManualChangeFeed;
  let clock: ManualClock;
  let authenticator: FederatedCredentialAuthenticator;
  let admin: StoreFederatedCredentialAdmin;

  beforeEach(async () => {
    fake = new OneCredentialStore();
    feed = new ManualChangeFeed();
    clock = new ManualClock(T0);
    const cache = new LruFederatedCredentialCache({ maxEntries: 10, ttlMs: 60_000 });
    await forgetOnChanges(feed, cache);
    const store = fake.asStore();
    authenticator = new FederatedCredentialAuthenticator({ store, passwords, tokens: randomOpaqueTokens, clock, cache });
    const audit = new AuditTrail(new InMemoryAuditLog(), new RecordingLogger());
    admin = new StoreFederatedCredentialAdmin({ store: forgettingRevocations(store, cache), clock, audit });
  });

  test('the store is asked once; later logins with the same password are answered from the cache', async () => {
    for (let login = 0; login < 3; login += 1) expect((await authenticator.authenticatePassword('oidc-12', PASSWORD)).id).toBe(12);
    expect(fake.lookups).toBe(1);
  });

  test('another username with the remembered password is still refused', async () => {
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    await expect(authenticator.authenticatePassword('oidc-13', PASSWORD)).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  test('expiry is judged on every login, from the cache too', async () => {
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    clock.advance(900_000);
    await expect(authenticator.authenticatePassword('oidc-12', PASSWORD)).rejects.toBeInstanceOf(FederatedCredentialExpiredError);
    expect(fake.lookups).toBe(1);
  });

  test('a revocation through this replica’s admin stops the next login before any notification arrives', async () => {
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    feed.listener = null; // no notification will come round
    await admin.revoke('oidc-12');
    await expect(authenticator.authenticatePassword('oidc-12', PASSWORD)).rejects.toBeInstanceOf(FederatedCredentialRevokedError);
  });

  test('a change announced by the feed (another replica revoked it) is read from the store at the next login', async () => {
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    fake.credential = { ...fake.credential, revokedAt: T0 };
    feed.listener?.changed('oidc-12');
    await expect(authenticator.authenticatePassword('oidc-12', PASSWORD)).rejects.toBeInstanceOf(FederatedCredentialRevokedError);
    expect(fake.lookups).toBe(2);
  });

  test('while the feed is interrupted nothing is answered from the cache', async () => {
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    feed.listener?.interrupted();
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    await authenticator.authenticatePassword('oidc-12', PASSWORD);
    expect(fake.lookups).toBe(3);
  });
});
