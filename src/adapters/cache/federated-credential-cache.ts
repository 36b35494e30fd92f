import { timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FederatedCredential, FederatedCredentialCache } from '../../app/federation/federation-ports.js';

export interface FederatedCredentialCacheSettings {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** Milliseconds from any fixed point; performance.now by default. */
  readonly now?: () => number;
}

interface Entry {
  readonly passwordDigest: Buffer;
  readonly credential: FederatedCredential;
}

/**
 * Minted credentials by username, each with the HMAC digest of its password (what the store keeps too, so
 * nothing here tells anyone a password). A lookup matches only the same username and digest, compared in
 * constant time. Expiry and revocation are still judged by the caller on every use; this only saves the query.
 */
export class LruFederatedCredentialCache implements FederatedCredentialCache {
  private readonly entries: LRUCache<string, Entry>;
  private generation = 0;
  private suspended = true;

  constructor(private readonly settings: FederatedCredentialCacheSettings) {
    const perf = { now: settings.now ?? (() => performance.now()) };
    this.entries = new LRUCache({ max: settings.maxEntries, ttl: Math.max(1, settings.ttlMs), perf });
  }

  ticket(): number {
    return this.generation;
  }

  lookup(username: string, passwordDigest: string): FederatedCredential | null {
    if (this.suspended) return null;
    const entry = this.entries.get(username);
    if (entry === undefined) return null;
    const presented = Buffer.from(passwordDigest, 'utf8');
    return presented.length === entry.passwordDigest.length && timingSafeEqual(presented, entry.passwordDigest) ? entry.credential : null;
  }

  remember(credential: FederatedCredential, passwordDigest: string, ticket: number): void {
    if (this.suspended || ticket !== this.generation || this.settings.ttlMs === 0) return;
    this.entries.set(credential.username, { passwordDigest: Buffer.from(passwordDigest, 'utf8'), credential });
  }

  forget(username: string): void {
    this.generation += 1;
    this.entries.delete(username);
  }

  suspend(): void {
    this.generation += 1;
    this.suspended = true;
    this.entries.clear();
  }

  resume(): void {
    this.generation += 1;
    this.suspended = false;
  }

  get size(): number {
    return this.entries.size;
  }
}
