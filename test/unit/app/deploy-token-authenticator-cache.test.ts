import { randomBytes } from 'node:crypto';
import { HmacCredentialCache } from '../../../src/adapters/cache/hmac-credential-cache.js';
import { forgetOnChanges, forgettingWrites } from '../../../src/app/credential-cache-invalidation.js';
import { DeployTokenAuthenticator } from '../../../src/app/deploy-token-authenticator.js';
import {
  DeployTokenExpiredError,
  DeployTokenRevokedError,
  InvalidCredentialsError,
  OverloadedError,
} from '../../../src/app/errors.js';
import type { DeployTokenChangeFeed, DeployTokenChangeListener, DeployTokenStore } from '../../../src/app/ports.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { InMemoryDeployTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const newSecret = () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH));

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

describe('DeployTokenAuthenticator with a credential cache', () => {
  let store: InMemoryDeployTokenStore;
  let hasher: TransparentHasher;
  let clock: ManualClock;
  let cache: HmacCredentialCache;
  let feed: ManualChangeFeed;
  let authenticator: DeployTokenAuthenticator;
  let adminStore: DeployTokenStore;
  let secret: string;

  beforeEach(async () => {
    store = new InMemoryDeployTokenStore();
    hasher = new TransparentHasher();
    clock = new ManualClock(T0);
    cache = new HmacCredentialCache({ maxEntries: 100, verifiedTtlMs: 60_000, refusedTtlMs: 10_000 });
    feed = new ManualChangeFeed();
    await forgetOnChanges(feed, cache);
    authenticator = new DeployTokenAuthenticator({ store, hasher, clock, cache });
    adminStore = forgettingWrites(store, cache);
    secret = newSecret();
    await adminStore.create({
      name: 'ci',
      username: 'ci-bot',
      secretHash: await hasher.hash(secret),
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: new Date('2026-12-01T00:00:00.000Z'),
      tokenLifetimeSeconds: null,
      createdAt: T0,
    });
  });

  test('a second check of the same username and secret needs no lookup and no hash', async () => {
    await authenticator.authenticate('ci-bot', secret);
    await expect(authenticator.authenticate('ci-bot', secret)).resolves.toMatchObject({ username: 'ci-bot' });

    expect(store.lookups).toBe(1);
    expect(hasher.comparedAgainst).toHaveLength(1);
  });

  test('a wrong secret retried in a loop costs one hash, and is still refused every time', async () => {
    const stale = newSecret();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(authenticator.authenticate('ci-bot', stale)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
    expect(hasher.comparedAgainst).toHaveLength(1);
  });

  test('another username never hits the cache with the first one\'s secret', async () => {
    await authenticator.authenticate('ci-bot', secret);
    await expect(authenticator.authenticate('other-bot', secret)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(hasher.comparedAgainst).toHaveLength(2);
  });

  test('revocation through this replica holds for the very next check', async () => {
    await authenticator.authenticate('ci-bot', secret);
    await adminStore.revoke(1, T0);
    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(DeployTokenRevokedError);
  });

  test('rotation through this replica refuses the old secret at once and accepts the new one', async () => {
    await authenticator.authenticate('ci-bot', secret);
    const rotated = newSecret();
    await adminStore.rotateSecret(1, await hasher.hash(rotated), T0);

    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(authenticator.authenticate('ci-bot', rotated)).resolves.toMatchObject({ username: 'ci-bot' });
  });

  test('a change made elsewhere holds as soon as its notification arrives', async () => {
    await authenticator.authenticate('ci-bot', secret);
    await store.revoke(1, T0);
    await expect(authenticator.authenticate('ci-bot', secret)).resolves.toMatchObject({ username: 'ci-bot' });

    feed.listener?.changed('ci-bot');
    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(DeployTokenRevokedError);
  });

  test('a remembered token that has since expired is refused as expired', async () => {
    await authenticator.authenticate('ci-bot', secret);
    clock.set(new Date('2026-12-01T00:00:00.000Z'));
    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(DeployTokenExpiredError);
    expect(store.lookups).toBe(1);
  });

  test('a token created under a username forgets the failures remembered for it', async () => {
    const futureSecret = newSecret();
    await expect(authenticator.authenticate('new-bot', futureSecret)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await adminStore.create({
      name: 'new',
      username: 'new-bot',
      secretHash: await hasher.hash(futureSecret),
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: null,
      tokenLifetimeSeconds: null,
      createdAt: T0,
    });
    await expect(authenticator.authenticate('new-bot', futureSecret)).resolves.toMatchObject({ username: 'new-bot' });
  });

  test('while the feed is interrupted every check goes to the store, and nothing is remembered', async () => {
    await authenticator.authenticate('ci-bot', secret);
    feed.listener?.interrupted();
    await authenticator.authenticate('ci-bot', secret);
    await authenticator.authenticate('ci-bot', secret);
    expect(store.lookups).toBe(3);

    feed.listener?.resumed();
    await authenticator.authenticate('ci-bot', secret);
    await authenticator.authenticate('ci-bot', secret);
    expect(store.lookups).toBe(4);
  });

  test('a change that lands during a check is not overwritten by what the check read', async () => {
    const slowStore: DeployTokenStore = Object.assign(Object.create(store) as InMemoryDeployTokenStore, {
      findByUsername: async (username: string) => {
        const found = await store.findByUsername(username);
        feed.listener?.changed(username);
        return found;
      },
    });
    const racing = new DeployTokenAuthenticator({ store: slowStore, hasher, clock, cache });
    await racing.authenticate('ci-bot', secret);
    await racing.authenticate('ci-bot', secret);
    expect(hasher.comparedAgainst).toHaveLength(2);
  });

  describe('checks of the same pair at the same time', () => {
    /** Holds every comparison until `open` is called, as a busy bcrypt pool would. */
    class GatedHasher extends TransparentHasher {
      private opened!: () => void;
      private readonly gate = new Promise<void>((resolve) => {
        this.opened = resolve;
      });
      open(): void {
        this.opened();
      }
      override async verify(secret: string, hash: string): Promise<boolean> {
        const matches = await super.verify(secret, hash);
        await this.gate;
        return matches;
      }
    }
    let gated: GatedHasher;
    let shared: DeployTokenAuthenticator;
    const settled = () => new Promise((resolve) => setImmediate(resolve));

    beforeEach(() => {
      gated = new GatedHasher();
      shared = new DeployTokenAuthenticator({ store, hasher: gated, clock, cache });
    });

    test('share one lookup and one hash, right secret or wrong', async () => {
      const stale = newSecret();
      const right = Array.from({ length: 20 }, () => shared.authenticate('ci-bot', secret));
      const wrong = Array.from({ length: 20 }, () => shared.authenticate('ci-bot', stale).catch((error: unknown) => error));
      await settled();
      gated.open();

      expect(new Set((await Promise.all(right)).map((token) => token.username))).toEqual(new Set(['ci-bot']));
      for (const error of await Promise.all(wrong)) expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect(gated.comparedAgainst).toHaveLength(2);
      expect(store.lookups).toBe(2);
    });

    test('a request that comes after a change does not share a check that began before it', async () => {
      const before = shared.authenticate('ci-bot', secret);
      await settled();
      await adminStore.revoke(1, T0);
      const after = shared.authenticate('ci-bot', secret);
      await settled();
      gated.open();

      await expect(before).resolves.toMatchObject({ username: 'ci-bot' });
      await expect(after).rejects.toBeInstanceOf(DeployTokenRevokedError);
      expect(gated.comparedAgainst).toHaveLength(2);
    });

    test('a failing store fails every request that shared the check, and the next one checks again', async () => {
      store.failWith = new Error('connect ECONNREFUSED');
      const failed = await Promise.all([1, 2, 3].map(() => shared.authenticate('ci-bot', secret).catch((error: unknown) => error)));
      for (const error of failed) expect(error).toMatchObject({ code: 'unavailable' });
      store.failWith = null;
      gated.open();
      await expect(shared.authenticate('ci-bot', secret)).resolves.toMatchObject({ username: 'ci-bot' });
    });
  });

  test('an overloaded hasher is an OverloadedError, and nothing is remembered', async () => {
    const busy = Object.assign(Object.create(hasher) as TransparentHasher, {
      verify: async () => {
        throw new OverloadedError('secret verification');
      },
    });
    const overloaded = new DeployTokenAuthenticator({ store, hasher: busy, clock, cache });
    await expect(overloaded.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(OverloadedError);
    await expect(authenticator.authenticate('ci-bot', secret)).resolves.toMatchObject({ username: 'ci-bot' });
  });
});
