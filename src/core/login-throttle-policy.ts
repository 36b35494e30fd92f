/**
 * One lockout rule of the brute-force protection: `maxFailures` failed logins of one key within a window of
 * `windowSeconds` (starting at the first failure) lock that key for `lockSeconds`. Each further lockout of the
 * same key within `backoffWindowSeconds` of its first doubles the lock, up to `maxLockSeconds`.
 */
export interface LockoutRule {
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;
  readonly maxLockSeconds: number;
  readonly backoffWindowSeconds: number;
}

/** The rules applied to every failed login; no rule keys on the username alone (PROTOCOL.md §3). */
export interface LoginThrottleRules {
  /** Keyed on (username, client address): a stale secret locks only the node that keeps sending it. */
  readonly perUsernameAndIp: LockoutRule;
  /** Keyed on the client address alone: one address spraying many usernames. */
  readonly perIp: LockoutRule;
}

/** True for the failure that brings the window's count to the limit: that one locks the key, once. */
export function failureLocks(rule: LockoutRule, failuresInWindow: number): boolean {
  return failuresInWindow === rule.maxFailures;
}

/** True when a key with this many failures in its current window is locked out. */
export function failuresLock(rule: LockoutRule, failuresInWindow: number): boolean {
  return failuresInWindow >= rule.maxFailures;
}

/** How long the `lockoutNumber`-th lockout (1 for the first) within the backoff window lasts, in seconds. */
export function lockSeconds(rule: LockoutRule, lockoutNumber: number): number {
  const doublings = Math.max(0, Math.floor(lockoutNumber) - 1);
  // 2^31 seconds exceeds any sane maximum; stop doubling before the number loses meaning.
  const lock = rule.lockSeconds * 2 ** Math.min(doublings, 31);
  return Math.max(rule.lockSeconds, Math.min(lock, rule.maxLockSeconds));
}

/** The `Retry-After` value for a lock that ends in `msBeforeEnd`: whole seconds, never below 1. */
export function retryAfterSeconds(msBeforeEnd: number): number {
  return Math.max(1, Math.ceil(msBeforeEnd / 1000));
}
