import { jest } from '@jest/globals';
import fc from 'fast-check';
import { HmacCredentialCache } from '../../../src/adapters/cache/hmac-credential-cache.js';
import type { DeployToken } from '../../../src/core/deploy-token.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

function tokenFor(username: string): DeployToken {
  return {
    id: 1,
    name: username,
    username,
    secretHash: 'not used by the cache',
    repositories: ['team/app'],
    scopes: ['read_registry'],
    expiresAt: null,
    revokedAt: null,
    createdAt: T0,
    lastUsedAt: null,
    lastUsedIp: null,
    tokenLifetimeSeconds: null,
    updatedAt: null,
    secretGeneration: 1,
    secretIssuedAt: T0,
    secretIssuedBy: null,
  };
}

function liveCache(settings: Partial<ConstructorParameters<typeof HmacCredentialCache>[0]> = {}): HmacCredentialCache {
  const cache = new HmacCredentialCache({ maxEntries: 100, verifiedTtlMs: 60_000, refusedTtlMs: 10_000, ...settings });
  cache.resume();
  return cache;
}

describe('HmacCredentialCache', () => {
  afterEach(() => jest.useRealTimers());

  test('a verified username and secret is a hit; another secret or another username is not', () => {
    const cache = liveCache();
    cache.rememberVerified('ci-bot', 'secret-1', tokenFor('ci-bot'), cache.ticket());

    expect(cache.lookup('ci-bot', 'secret-1')).toEqual({ outcome: 'verified', token: tokenFor('ci-bot') });
    expect(cache.lookup('ci-bot', 'secret-2')).toBeNull();
    expect(cache.lookup('other-bot', 'secret-1')).toBeNull();
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, rememberedFailures: 0, size: 1 });
  });

  test('a refused secret is remembered for its username only, and a right one still verifies', () => {
    const cache = liveCache();
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), cache.ticket());
    cache.rememberRefused('ci-bot', 'stale', cache.ticket());

    expect(cache.lookup('ci-bot', 'stale')).toEqual({ outcome: 'refused' });
    expect(cache.lookup('other-bot', 'stale')).toBeNull();
    expect(cache.lookup('ci-bot', 'right')?.outcome).toBe('verified');
  });

  test('a username keeps only its last four refused secrets', () => {
    const cache = liveCache();
    for (const secret of ['w1', 'w2', 'w3', 'w4', 'w5']) cache.rememberRefused('ci-bot', secret, cache.ticket());

    expect(cache.lookup('ci-bot', 'w1')).toBeNull();
    for (const secret of ['w2', 'w3', 'w4', 'w5']) expect(cache.lookup('ci-bot', secret)).toEqual({ outcome: 'refused' });
  });

  test('forget drops both what was verified and what was refused for that username, and nothing else', () => {
    const cache = liveCache();
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), cache.ticket());
    cache.rememberRefused('ci-bot', 'wrong', cache.ticket());
    cache.rememberVerified('other-bot', 'other', tokenFor('other-bot'), cache.ticket());

    cache.forget('ci-bot');

    expect(cache.lookup('ci-bot', 'right')).toBeNull();
    expect(cache.lookup('ci-bot', 'wrong')).toBeNull();
    expect(cache.lookup('other-bot', 'other')?.outcome).toBe('verified');
  });

  test('a check that began before a forget cannot remember what it read', () => {
    const cache = liveCache();
    const ticket = cache.ticket();
    cache.forget('ci-bot');
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), ticket);
    cache.rememberRefused('ci-bot', 'wrong', ticket);

    expect(cache.lookup('ci-bot', 'right')).toBeNull();
    expect(cache.lookup('ci-bot', 'wrong')).toBeNull();
  });

  test('suspended, it answers nothing and remembers nothing until resumed, and resuming brings nothing back', () => {
    const cache = liveCache();
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), cache.ticket());
    cache.suspend();
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), cache.ticket());

    expect(cache.lookup('ci-bot', 'right')).toBeNull();
    cache.resume();
    expect(cache.lookup('ci-bot', 'right')).toBeNull();
  });

  test('a new cache answers nothing until resumed: it starts suspended', () => {
    const cache = new HmacCredentialCache({ maxEntries: 10, verifiedTtlMs: 60_000, refusedTtlMs: 10_000 });
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), cache.ticket());
    cache.resume();
    expect(cache.lookup('ci-bot', 'right')).toBeNull();
  });

  test.each([
    ['verified', 60_000],
    ['refused', 10_000],
  ] as const)('a %s entry lasts its TTL (%i ms) and no longer', (kind, ttlMs) => {
    jest.useFakeTimers({ now: T0 });
    const cache = liveCache({ now: () => Date.now() });
    if (kind === 'verified') cache.rememberVerified('ci-bot', 'secret', tokenFor('ci-bot'), cache.ticket());
    else cache.rememberRefused('ci-bot', 'secret', cache.ticket());

    jest.advanceTimersByTime(ttlMs - 1);
    expect(cache.lookup('ci-bot', 'secret')?.outcome).toBe(kind);
    jest.advanceTimersByTime(2);
    expect(cache.lookup('ci-bot', 'secret')).toBeNull();
  });

  test('a TTL of 0 remembers nothing of that kind', () => {
    const cache = liveCache({ verifiedTtlMs: 0, refusedTtlMs: 0 });
    cache.rememberVerified('ci-bot', 'right', tokenFor('ci-bot'), cache.ticket());
    cache.rememberRefused('ci-bot', 'wrong', cache.ticket());

    expect(cache.lookup('ci-bot', 'right')).toBeNull();
    expect(cache.lookup('ci-bot', 'wrong')).toBeNull();
  });

  test('it holds at most maxEntries usernames, dropping the least recently used', () => {
    const cache = liveCache({ maxEntries: 2 });
    for (const username of ['a', 'b', 'c']) cache.rememberVerified(username, 'secret', tokenFor(username), cache.ticket());

    expect(cache.lookup('a', 'secret')).toBeNull();
    expect(cache.lookup('c', 'secret')?.outcome).toBe('verified');
  });

  test('property: a lookup hits exactly the username and secret that were verified', () => {
    const name = fc.stringMatching(/^[a-z0-9._+-]{1,12}$/);
    const secret = fc.string({ minLength: 1, maxLength: 20 }).filter((text) => !text.includes('\0'));
    fc.assert(
      fc.property(name, secret, name, secret, (username, right, askedUsername, askedSecret) => {
        const cache = liveCache();
        cache.rememberVerified(username, right, tokenFor(username), cache.ticket());
        const hit = cache.lookup(askedUsername, askedSecret) !== null;
        return hit === (askedUsername === username && askedSecret === right);
      }),
      { numRuns: 500 },
    );
  });
});
