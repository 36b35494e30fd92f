import { LruFederatedCredentialCache } from '../../../src/adapters/cache/federated-credential-cache.js';
import type { FederatedCredential } from '../../../src/app/federation/federation-ports.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

const credential = (username: string): FederatedCredential => ({
  id: Number(username.slice('oidc-'.length)),
  username,
  policyId: 3,
  issuerId: 7,
  repositories: ['octo-org/app'],
  scopes: ['read_registry'],
  claims: { repository: 'octo-org/app' },
  subject: 'repo:octo-org/app:ref:refs/heads/main',
  createdAt: T0,
  expiresAt: new Date(T0.getTime() + 900_000),
  revokedAt: null,
  lastUsedAt: null,
});

describe('LruFederatedCredentialCache', () => {
  let now: number;
  let cache: LruFederatedCredentialCache;

  beforeEach(() => {
    now = 1_000;
    cache = new LruFederatedCredentialCache({ maxEntries: 2, ttlMs: 60_000, now: () => now });
    cache.resume();
  });

  test('answers only the same username with the same password digest', () => {
    cache.remember(credential('oidc-1'), 'digest-1', cache.ticket());
    expect(cache.lookup('oidc-1', 'digest-1')?.id).toBe(1);
    expect(cache.lookup('oidc-1', 'digest-2')).toBeNull();
    expect(cache.lookup('oidc-1', 'digest-1x')).toBeNull();
    expect(cache.lookup('oidc-2', 'digest-1')).toBeNull();
  });

  test('answers nothing until resumed, and nothing after a suspend, which also forgets everything', () => {
    const fresh = new LruFederatedCredentialCache({ maxEntries: 10, ttlMs: 60_000 });
    fresh.remember(credential('oidc-1'), 'digest-1', fresh.ticket());
    fresh.resume();
    expect(fresh.lookup('oidc-1', 'digest-1')).toBeNull();
    fresh.remember(credential('oidc-1'), 'digest-1', fresh.ticket());
    fresh.suspend();
    fresh.resume();
    expect(fresh.lookup('oidc-1', 'digest-1')).toBeNull();
  });

  test('a remember whose ticket predates a forget is dropped: a revocation during the store read wins', () => {
    const ticket = cache.ticket();
    cache.forget('oidc-1');
    cache.remember(credential('oidc-1'), 'digest-1', ticket);
    expect(cache.lookup('oidc-1', 'digest-1')).toBeNull();
  });

  test('forget drops the username; entries end with their TTL and the oldest goes beyond maxEntries', () => {
    cache.remember(credential('oidc-1'), 'digest-1', cache.ticket());
    cache.forget('oidc-1');
    expect(cache.lookup('oidc-1', 'digest-1')).toBeNull();

    cache.remember(credential('oidc-2'), 'digest-2', cache.ticket());
    now += 60_001;
    expect(cache.lookup('oidc-2', 'digest-2')).toBeNull();

    for (const id of [3, 4, 5]) cache.remember(credential(`oidc-${id}`), `digest-${id}`, cache.ticket());
    expect([cache.lookup('oidc-3', 'digest-3'), cache.lookup('oidc-5', 'digest-5')?.id]).toEqual([null, 5]);
  });

  test('a TTL of 0 remembers nothing', () => {
    const off = new LruFederatedCredentialCache({ maxEntries: 10, ttlMs: 0 });
    off.resume();
    off.remember(credential('oidc-1'), 'digest-1', off.ticket());
    expect(off.lookup('oidc-1', 'digest-1')).toBeNull();
  });
});
