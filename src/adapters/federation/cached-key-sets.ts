import { LRUCache } from 'lru-cache';
import type { KeySetSource } from '../../app/federation/federation-ports.js';
import type { Clock } from '../../app/ports.js';
import type { JsonWebKeySet, TrustedIssuer } from '../../core/federation/trusted-issuer.js';

export const DEFAULT_KEY_SET_REFRESH_COOLDOWN_SECONDS = 60;
const MAX_CACHED_ISSUERS = 1_000;

export type KeySetFetchOutcome = 'success' | 'failure';

/** Told of every key-set fetch, for the metrics. */
export interface KeySetFetchObserver {
  keySetFetched(issuerName: string, outcome: KeySetFetchOutcome): void;
}

export interface KeySetFetching {
  fetchKeySet(issuer: TrustedIssuer): Promise<JsonWebKeySet>;
}

export interface CachedKeySetsOptions {
  readonly fetcher: KeySetFetching;
  readonly clock: Clock;
  readonly refreshCooldownSeconds?: number;
  readonly observer?: KeySetFetchObserver;
}

/** An issuer's set could not be fetched and none was cached: the caller answers 503. */
export class KeySetUnavailableError extends Error {
  constructor(issuerName: string, options?: { cause?: unknown }) {
    super(`no key set of issuer "${issuerName}" could be fetched`, options);
    this.name = 'KeySetUnavailableError';
  }
}

interface IssuerKeySets {
  lastGood: JsonWebKeySet | null;
  lastFailure: unknown;
  lastAttemptAt: number | null;
  refreshing: Promise<void> | null;
}

/**
 * Issuers' key sets, fetched on the first need and refreshed on an unknown `kid` at most once per cooldown,
 * failed fetches included. Within the cooldown an unknown kid is answered null from the cache (the negative
 * cache is per issuer, so a storm of random kids costs one fetch per cooldown too), concurrent misses share
 * one fetch, and the last good set stays in use while the issuer is down. Inline key sets are never fetched.
 */
export class CachedKeySets implements KeySetSource {
  private readonly issuers = new LRUCache<string, IssuerKeySets>({ max: MAX_CACHED_ISSUERS });
  private readonly cooldownMs: number;

  constructor(private readonly options: CachedKeySetsOptions) {
    this.cooldownMs = (options.refreshCooldownSeconds ?? DEFAULT_KEY_SET_REFRESH_COOLDOWN_SECONDS) * 1000;
  }

  async keySetFor(issuer: TrustedIssuer, keyId: string): Promise<JsonWebKeySet | null> {
    if (issuer.keySource.kind === 'inline') return holding(await this.options.fetcher.fetchKeySet(issuer), keyId);
    const cached = this.cachedFor(issuer);
    const known = holding(cached.lastGood, keyId);
    if (known !== null) return known;
    if (cached.refreshing === null && this.cooldownOver(cached)) cached.refreshing = this.refresh(issuer, cached);
    if (cached.refreshing !== null) await cached.refreshing;
    if (cached.lastGood === null) throw new KeySetUnavailableError(issuer.name, { cause: cached.lastFailure });
    return holding(cached.lastGood, keyId);
  }

  private cachedFor(issuer: TrustedIssuer): IssuerKeySets {
    // The source is part of the key: an issuer moved to another jwks_uri starts afresh.
    const cacheKey = JSON.stringify([issuer.id, issuer.issuerUrl, issuer.keySource]);
    const cached = this.issuers.get(cacheKey);
    if (cached !== undefined) return cached;
    const created: IssuerKeySets = {
      lastGood: null,
      lastFailure: null,
      lastAttemptAt: null,
      refreshing: null,
    };
    this.issuers.set(cacheKey, created);
    return created;
  }

  private cooldownOver(cached: IssuerKeySets): boolean {
    return cached.lastAttemptAt === null || this.options.clock.now().getTime() - cached.lastAttemptAt >= this.cooldownMs;
  }

  private async refresh(issuer: TrustedIssuer, cached: IssuerKeySets): Promise<void> {
    cached.lastAttemptAt = this.options.clock.now().getTime();
    try {
      cached.lastGood = await this.options.fetcher.fetchKeySet(issuer);
      this.options.observer?.keySetFetched(issuer.name, 'success');
    } catch (error) {
      cached.lastFailure = error;
      this.options.observer?.keySetFetched(issuer.name, 'failure');
    } finally {
      cached.refreshing = null;
    }
  }
}

function holding(keySet: JsonWebKeySet | null, keyId: string): JsonWebKeySet | null {
  if (keySet === null) return null;
  return keySet.keys.some((key) => key.kid === keyId) ? keySet : null;
}
