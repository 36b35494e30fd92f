import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyAttemptsError } from '../../app/errors.js';
import type { LoginAttempt, LoginThrottle } from '../../app/ports.js';
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
 * The lockout rules on rate-limiter-flexible counters. Per rule, one counter holds the failures of a key in
 * its window (a lock is a blocked counter) and another how often the key was locked, for the backoff.
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  private readonly perUsernameAndIp: RuleCounters;
  private readonly perIp: RuleCounters;

  constructor(rules: LoginThrottleRules, limiters: LimiterFactory) {
    this.perUsernameAndIp = new RuleCounters('user_ip', rules.perUsernameAndIp, limiters);
    this.perIp = new RuleCounters('ip', rules.perIp, limiters);
  }

  async assertAllowed(attempt: LoginAttempt): Promise<void> {
    const locks = await Promise.all(this.keyed(attempt).map(({ counters, key }) => counters.msBeforeUnlock(key)));
    const longest = Math.max(0, ...locks);
    if (longest > 0) throw new TooManyAttemptsError(retryAfterSeconds(longest));
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    await Promise.all(this.keyed(attempt).map(({ counters, key }) => counters.countFailure(key)));
  }

  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    // The address's own counter stays: one valid secret must not let an address keep guessing others.
    if (attempt.username !== null) await this.perUsernameAndIp.forget(usernameAndAddressKey(attempt.username, attempt.clientIp));
  }

  private keyed(attempt: LoginAttempt): { counters: RuleCounters; key: string }[] {
    const address = { counters: this.perIp, key: addressKey(attempt.clientIp) };
    if (attempt.username === null) return [address];
    return [{ counters: this.perUsernameAndIp, key: usernameAndAddressKey(attempt.username, attempt.clientIp) }, address];
  }
}

class RuleCounters {
  private readonly failures: RateLimiterAbstract;
  private readonly lockouts: RateLimiterAbstract;

  constructor(name: string, private readonly rule: LockoutRule, limiters: LimiterFactory) {
    this.failures = limiters({ keyPrefix: name, points: rule.maxFailures, duration: rule.windowSeconds });
    // Counts lockouts; never blocks (its points are never compared).
    this.lockouts = limiters({ keyPrefix: `${name}_lockouts`, points: 1, duration: rule.backoffWindowSeconds });
  }

  /** 0 when the key may log in. */
  async msBeforeUnlock(key: string): Promise<number> {
    const state = await this.failures.get(key);
    if (state === null || !failuresLock(this.rule, state.consumedPoints)) return 0;
    return Math.max(0, state.msBeforeNext);
  }

  async countFailure(key: string): Promise<void> {
    const counted = await this.failures.penalty(key, 1);
    if (!failureLocks(this.rule, counted.consumedPoints)) return;
    const lockouts = await this.lockouts.penalty(key, 1);
    await this.failures.block(key, lockSeconds(this.rule, lockouts.consumedPoints));
  }

  async forget(key: string): Promise<void> {
    await this.failures.delete(key);
  }
}

/** An IPv4 client seen through an IPv6 socket (`::ffff:10.0.0.1`) is the same client as `10.0.0.1`. */
function addressKey(clientIp: string): string {
  const mapped = clientIp.toLowerCase().startsWith('::ffff:') ? clientIp.slice(7) : null;
  if (mapped !== null && isIPv4(mapped)) return mapped;
  return clientIp === '' ? 'unknown' : clientIp;
}

/**
 * Usernames are stored hashed: whatever a client sent as a username (sometimes a pasted secret) stays out of
 * the table, and the key's length is bounded.
 */
function usernameAndAddressKey(username: string, clientIp: string): string {
  return `${addressKey(clientIp)}/${createHash('sha256').update(username).digest('base64url')}`;
}
