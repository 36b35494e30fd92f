import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CredentialCache, RememberedCheck } from '../../app/ports.js';
import type { DeployToken } from '../../core/deploy-token.js';

export interface CredentialCacheSettings {
  readonly maxEntries: number;
  readonly verifiedTtlMs: number;
  readonly refusedTtlMs: number;
  /** Milliseconds from any fixed point; performance.now by default. */
  readonly now?: () => number;
}

/** Cumulative counts since the cache was made, and its current number of entries. */
export interface CredentialCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly rememberedFailures: number;
  readonly size: number;
}

/** A username keeps only its last few wrong secrets: enough for a stale secret retried in a loop. */
const REFUSED_SECRETS_PER_USERNAME = 4;

interface VerifiedEntry {
  readonly mac: Buffer;
  readonly token: DeployToken;
}

/**
 * Remembers checked credentials as an HMAC of username and secret under a key made at random when the
 * process starts: nothing kept here lets anyone recover a secret, or tell a guess right without the key.
 * Comparisons are constant-time. Bounded by `maxEntries` per kind, each entry lives for its TTL.
 */
export class HmacCredentialCache implements CredentialCache {
  // A KeyObject, not the bytes: Node turns a Buffer key into one on every createHmac (15 µs against 3 µs).
  private readonly key = createSecretKey(randomBytes(32));
  private readonly verified: LRUCache<string, VerifiedEntry>;
  private readonly refused: LRUCache<string, Buffer[]>;
  private generation = 0;
  private suspended = true;
  private counts = { hits: 0, misses: 0, rememberedFailures: 0 };

  constructor(private readonly settings: CredentialCacheSettings) {
    // lru-cache reads a TTL of 0 as "never expires"; here 0 means "do not remember", checked before each set.
    const perf = { now: settings.now ?? (() => performance.now()) };
    this.verified = new LRUCache({ max: settings.maxEntries, ttl: Math.max(1, settings.verifiedTtlMs), perf });
    this.refused = new LRUCache({ max: settings.maxEntries, ttl: Math.max(1, settings.refusedTtlMs), perf });
  }

  ticket(): number {
    return this.generation;
  }

  lookup(username: string, secret: string): RememberedCheck | null {
    if (this.suspended) return null;
    const mac = this.macOf(username, secret);
    const verified = this.verified.get(username);
    if (verified !== undefined && timingSafeEqual(verified.mac, mac)) {
      this.counts.hits += 1;
      return { outcome: 'verified', token: verified.token };
    }
    if ((this.refused.get(username) ?? []).some((refusedMac) => timingSafeEqual(refusedMac, mac))) {
      this.counts.rememberedFailures += 1;
      return { outcome: 'refused' };
    }
    this.counts.misses += 1;
    return null;
  }

  rememberVerified(username: string, secret: string, token: DeployToken, ticket: number): void {
    if (!this.isCurrent(ticket) || this.settings.verifiedTtlMs === 0) return;
    this.verified.set(username, { mac: this.macOf(username, secret), token });
  }

  rememberRefused(username: string, secret: string, ticket: number): void {
    if (!this.isCurrent(ticket) || this.settings.refusedTtlMs === 0) return;
    const earlier = this.refused.get(username) ?? [];
    this.refused.set(username, [this.macOf(username, secret), ...earlier].slice(0, REFUSED_SECRETS_PER_USERNAME));
  }

  forget(username: string): void {
    this.generation += 1;
    this.verified.delete(username);
    this.refused.delete(username);
  }

  suspend(): void {
    this.generation += 1;
    this.suspended = true;
    this.verified.clear();
    this.refused.clear();
  }

  resume(): void {
    this.generation += 1;
    this.suspended = false;
  }

  stats(): CredentialCacheStats {
    return { ...this.counts, size: this.verified.size + this.refused.size };
  }

  isCurrent(ticket: number): boolean {
    return !this.suspended && ticket === this.generation;
  }

  private macOf(username: string, secret: string): Buffer {
    // The NUL keeps ("ab", "c") and ("a", "bc") apart; neither part can contain one.
    return createHmac('sha256', this.key).update(username).update('\0').update(secret).digest();
  }
}
