import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import {
  DeployTokenExpiredError,
  DeployTokenRevokedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  ServiceUnavailableError,
} from '../../../src/app/errors.js';
import type { NewRefreshToken } from '../../../src/app/ports.js';
import { RefreshTokens } from '../../../src/app/refresh-tokens.js';
import type { DeployToken } from '../../../src/core/deploy-token.js';
import { isWellFormedOpaqueToken, REFRESH_TOKEN_PREFIX } from '../../../src/core/opaque-token.js';
import { InMemoryDeployTokenStore, InMemoryRefreshTokenStore } from '../../support/fake-ports.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

/** Keeps what it was asked, so a test can see what is stored and whether a lookup happened. */
class SpyRefreshTokenStore extends InMemoryRefreshTokenStore {
  readonly created: NewRefreshToken[] = [];
  readonly lookedUp: string[] = [];
  readonly markedUsed: [number, Date][] = [];
  failWith: Error | null = null;

  override async create(token: NewRefreshToken): Promise<boolean> {
    if (this.failWith) throw this.failWith;
    this.created.push(token);
    return super.create(token);
  }

  override async find(tokenHash: string) {
    if (this.failWith) throw this.failWith;
    this.lookedUp.push(tokenHash);
    return super.find(tokenHash);
  }

  override async markUsed(id: number, at: Date): Promise<void> {
    this.markedUsed.push([id, at]);
    await super.markUsed(id, at);
  }
}

const DAY = 86_400_000;

describe('RefreshTokens', () => {
  let deployTokens: InMemoryDeployTokenStore;
  let store: SpyRefreshTokenStore;
  let clock: ManualClock;
  let refreshTokens: RefreshTokens;
  let deployToken: DeployToken;

  beforeEach(async () => {
    deployTokens = new InMemoryDeployTokenStore();
    store = new SpyRefreshTokenStore(deployTokens);
    clock = new ManualClock(T0);
    refreshTokens = new RefreshTokens({ store, tokens: randomOpaqueTokens, clock, idleExpirySeconds: 90 * 86_400 });
    deployToken = await deployTokens.create({
      name: 'ci',
      username: 'ci-bot',
      secretHash: 'hash',
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: new Date('2026-12-01T00:00:00.000Z'),
      tokenLifetimeSeconds: null,
      createdAt: T0,
    });
  });

  test('issue returns a well-formed regauth_rt_ token and stores only its SHA-256 digest', async () => {
    const token = await refreshTokens.issue(deployToken, 'docker');
    expect(isWellFormedOpaqueToken(token, REFRESH_TOKEN_PREFIX)).toBe(true);
    expect(store.created).toStrictEqual([
      { deployTokenId: deployToken.id, secretGeneration: 1, tokenHash: randomOpaqueTokens.digest(token), clientId: 'docker', createdAt: T0 },
    ]);
    expect(JSON.stringify(store.created)).not.toContain(token.slice(REFRESH_TOKEN_PREFIX.length));
  });

  test('each issue makes a new token', async () => {
    const first = await refreshTokens.issue(deployToken, null);
    const second = await refreshTokens.issue(deployToken, null);
    expect(first).not.toBe(second);
    expect(new Set(store.created.map((created) => created.tokenHash)).size).toBe(2);
  });

  test('the client id is kept to 64 characters, and null stays null', async () => {
    await refreshTokens.issue(deployToken, 'c'.repeat(200));
    await refreshTokens.issue(deployToken, null);
    expect(store.created.map((created) => created.clientId)).toStrictEqual(['c'.repeat(64), null]);
  });

  test('authenticate returns the deploy token a refresh token belongs to, as it is now', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    await deployTokens.update(deployToken.id, { scopes: ['write_registry'] }, T0);
    await expect(refreshTokens.authenticate(token)).resolves.toMatchObject({ id: deployToken.id, scopes: ['write_registry'] });
  });

  test('an unknown but well-formed token is refused after one lookup', async () => {
    const unknown = randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX);
    await expect(refreshTokens.authenticate(unknown)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    expect(store.lookedUp).toStrictEqual([randomOpaqueTokens.digest(unknown)]);
  });

  test.each([
    ['empty', ''],
    ['a deploy-token secret', 'regauth_0123456789abcdefghijABCDEFGHIJ0123ABCDEF'],
    ['an admin key', randomOpaqueTokens.generate('regauth_admin_')],
    ['a truncated refresh token', randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX).slice(0, -1)],
    ['a refresh token with a space', `${randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX).slice(0, -1)} `],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
  ])('a malformed token (%s) is refused without a lookup', async (_label, text) => {
    await expect(refreshTokens.authenticate(text)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    expect(store.lookedUp).toStrictEqual([]);
  });

  test('the refresh token of a revoked deploy token is refused as revoked', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    await deployTokens.revoke(deployToken.id, T0);
    await expect(refreshTokens.authenticate(token)).rejects.toBeInstanceOf(DeployTokenRevokedError);
  });

  test('the refresh token of an expired deploy token is refused as expired, from the expiry on', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    clock.set(new Date('2026-11-30T23:59:59.999Z'));
    await expect(refreshTokens.authenticate(token)).resolves.toMatchObject({ id: deployToken.id });
    clock.set(new Date('2026-12-01T00:00:00.000Z'));
    await expect(refreshTokens.authenticate(token)).rejects.toEqual(new DeployTokenExpiredError(new Date('2026-12-01T00:00:00.000Z')));
  });

  test('a refresh token is bound to the secret it was minted from: a rotation ends it', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    await deployTokens.rotateSecret(deployToken.id, 'new-hash', T0);
    await expect(refreshTokens.authenticate(token)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
  });

  test('a login that verified a secret rotated meanwhile gets no refresh token', async () => {
    await deployTokens.rotateSecret(deployToken.id, 'new-hash', T0);
    await expect(refreshTokens.issue(deployToken, 'docker')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(store.tokens.size).toBe(0);
  });

  test('a refresh token unused for 90 days is refused; each use (recorded to the minute) pushes that back', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    const longLived = await deployTokens.update(deployToken.id, { expiresAt: null }, T0);
    expect(longLived?.expiresAt).toBeNull();

    clock.set(new Date(T0.getTime() + 89 * DAY));
    await expect(refreshTokens.authenticate(token)).resolves.toMatchObject({ id: deployToken.id });
    expect(store.markedUsed).toHaveLength(1);
    clock.set(new Date(T0.getTime() + 89 * DAY + 30_000));
    await refreshTokens.authenticate(token);
    expect(store.markedUsed).toHaveLength(1);

    clock.set(new Date(T0.getTime() + 178 * DAY));
    await expect(refreshTokens.authenticate(token)).resolves.toMatchObject({ id: deployToken.id });
    clock.set(new Date(T0.getTime() + 268 * DAY + 1));
    await expect(refreshTokens.authenticate(token)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
  });

  test('a refresh token never used is refused 90 days after it was made', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    await deployTokens.update(deployToken.id, { expiresAt: null }, T0);
    clock.set(new Date(T0.getTime() + 90 * DAY));
    await expect(refreshTokens.authenticate(token)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
  });

  test('a store that fails makes authenticate unavailable, not a refusal', async () => {
    const token = await refreshTokens.issue(deployToken, null);
    store.failWith = new Error('connection refused');
    await expect(refreshTokens.authenticate(token)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  test('a store that fails makes issue unavailable, and no token is handed out', async () => {
    store.failWith = new Error('connection refused');
    await expect(refreshTokens.issue(deployToken, null)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
