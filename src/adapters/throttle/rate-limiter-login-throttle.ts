import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyAttemptsError } from '../../app/errors.js';
import type { LoginAllowance, LoginAttempt, LoginThrottle } from '../../app/ports.js';
import { clientAddressGroup } from '../../core/client-address-group.js';
import {
  failureLocks,
  failuresLock,
  lockSeconds,
  retryAfterSeconds,
  type LockoutRule,
  type LoginThrottleRules,
} from '../../core/login-throttle-policy.js';

export interface LimiterOptions {
  /** Names the counter; keys of every limiter may share one table. */
  readonly keyPrefix: string;
  readonly points: number;
  readonly duration: number;
}

/** Makes the rate-limiter-flexible counters the throttle keeps: on PostgreSQL/PGlite, or in memory. */
export type LimiterFactory = (options: LimiterOptions) => RateLimiterAbstract;

/** Counters in this process only: for tests and for stores handed in without a database. */
export const memoryLimiters: LimiterFactory = (options) => new RateLimiterMemory({ ...options });

/**
 * The brute-force rules on rate-limiter-flexible counters. Per rule, one counter holds the failures of a key in
 * its window (a lock is a blocked counter) and another how often the key was locked, for the backoff. The
 * (username, address) rule refuses a login while it is locked; the address rule only says that the address
 * has spent its hashing budget, which spares the hash of an unknown username.
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  private readonly perUsernameAndIp: RuleCounters;
  private readonly perIp: RuleCounters;

  constructor(rules: LoginThrottleRules, limiters: LimiterFactory) {
    this.perUsernameAndIp = new RuleCounters('user_ip', rules.perUsernameAndIp, limiters);
    this.perIp = new RuleCounters('ip', rules.perIp, limiters);
  }

  recall(attempt: LoginAttempt): { pendingFailures: boolean } {
    const key = usernameAndAddressKey(attempt);
    const lockedMs = this.perUsernameAndIp.recalledLockMs(key);
    if (lockedMs > 0) throw new TooManyAttemptsError(retryAfterSeconds(lockedMs));
    return { pendingFailures: this.perUsernameAndIp.recallsFailures(key) };
  }

  async assertAllowed(attempt: LoginAttempt): Promise<LoginAllowance> {
    const [pair, address] = await Promise.all([
      this.perUsernameAndIp.state(usernameAndAddressKey(attempt)),
      this.perIp.state(clientAddressGroup(attempt.clientIp)),
    ]);
    if (pair.msBeforeUnlock > 0) throw new TooManyAttemptsError(retryAfterSeconds(pair.msBeforeUnlock));
    return { pendingFailures: pair.failures > 0, addressOverBudget: address.msBeforeUnlock > 0 };
  }

  async recordFailure(attempt: LoginAttempt, cost: { readonly hashed: boolean }): Promise<void> {
    await Promise.all([
      this.perUsernameAndIp.countFailure(usernameAndAddressKey(attempt)),
      cost.hashed ? this.perIp.countFailure(clientAddressGroup(attempt.clientIp)) : undefined,
    ]);
  }

  async recordTurnedAway(clientIp: string): Promise<void> {
    await this.perIp.countFailure(clientAddressGroup(clientIp));
  }

  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    // The address's own counter stays: one valid secret must not let an address keep spending hashes on guesses.
    await this.perUsernameAndIp.forget(usernameAndAddressKey(attempt));
  }
}

/** Keys this process saw locked or failing, so a request that needs no database can still be judged. */
const SEEN_KEYS = 10_000;
// The library counts with Date.now; so does what is remembered of it.
const wallClock = { now: () => Date.now() };

class RuleCounters {
  private readonly failures: RateLimiterAbstract;
  private readonly lockouts: RateLimiterAbstract;
  private readonly seenLockedUntil = new LRUCache<string, number>({ max: SEEN_KEYS });
  private readonly seenFailing: LRUCache<string, true>;

  constructor(name: string, private readonly rule: LockoutRule, limiters: LimiterFactory) {
    this.failures = limiters({ keyPrefix: name, points: rule.maxFailures, duration: rule.windowSeconds });
    // Counts lockouts; never blocks (its points are never compared).
    this.lockouts = limiters({ keyPrefix: `${name}_lockouts`, points: 1, duration: rule.backoffWindowSeconds });
    this.seenFailing = new LRUCache({ max: SEEN_KEYS, ttl: rule.windowSeconds * 1000, perf: wallClock });
  }

  /** From what this process has seen: ms before a lock it saw ends (0: none). */
  recalledLockMs(key: string): number {
    return Math.max(0, (this.seenLockedUntil.get(key) ?? 0) - Date.now());
  }

  recallsFailures(key: string): boolean {
    return this.seenFailing.has(key);
  }

  /** `msBeforeUnlock` is 0 when the key may log in. */
  async state(key: string): Promise<{ failures: number; msBeforeUnlock: number }> {
    const state = await this.failures.get(key);
    if (state === null) return { failures: 0, msBeforeUnlock: 0 };
    const msBeforeUnlock = failuresLock(this.rule, state.consumedPoints) ? Math.max(0, state.msBeforeNext) : 0;
    if (state.consumedPoints > 0) this.seenFailing.set(key, true);
    if (msBeforeUnlock > 0) this.seenLockedUntil.set(key, Date.now() + msBeforeUnlock);
    return { failures: state.consumedPoints, msBeforeUnlock };
  }

  async countFailure(key: string): Promise<void> {
    const counted = await this.failures.penalty(key, 1);
    this.seenFailing.set(key, true);
    if (!failureLocks(this.rule, counted.consumedPoints)) return;
    const lockouts = await this.lockouts.penalty(key, 1);
    const seconds = lockSeconds(this.rule, lockouts.consumedPoints);
    await this.failures.block(key, seconds);
    this.seenLockedUntil.set(key, Date.now() + seconds * 1000);
  }

  async forget(key: string): Promise<void> {
    await this.failures.delete(key);
    this.seenFailing.delete(key);
    this.seenLockedUntil.delete(key);
  }
}

/**
 * Usernames are stored hashed: whatever a client sent as a username (sometimes a pasted secret) stays out of
 * the table, and the key's length is bounded.
 */
function usernameAndAddressKey({ username, clientIp }: LoginAttempt): string {
  return `${clientAddressGroup(clientIp)}/${createHash('sha256').update(username).digest('base64url')}`;
}
