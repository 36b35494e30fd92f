import fc from 'fast-check';
import {
  failureLocks,
  failuresLock,
  lockSeconds,
  retryAfterSeconds,
  type LockoutRule,
} from '../../../src/core/login-throttle-policy.js';

const FC_SEED = 20_261_123;

const PER_USERNAME_AND_IP: LockoutRule = { maxFailures: 10, windowSeconds: 600, lockSeconds: 60, maxLockSeconds: 3600, backoffWindowSeconds: 86_400 };
const PER_IP: LockoutRule = { maxFailures: 100, windowSeconds: 600, lockSeconds: 900, maxLockSeconds: 900, backoffWindowSeconds: 86_400 };

const rules = fc
  .record({
    maxFailures: fc.integer({ min: 1, max: 1000 }),
    windowSeconds: fc.integer({ min: 1, max: 86_400 }),
    lockSeconds: fc.integer({ min: 1, max: 86_400 }),
    extraLockSeconds: fc.integer({ min: 0, max: 86_400 }),
    backoffWindowSeconds: fc.integer({ min: 1, max: 86_400 }),
  })
  .map(({ extraLockSeconds, ...rule }): LockoutRule => ({ ...rule, maxLockSeconds: rule.lockSeconds + extraLockSeconds }));

describe('the lockout rules', () => {
  describe('which failure locks a key', () => {
    test.each<[LockoutRule, number, boolean, boolean]>([
      // rule, failures in the window, this failure locks, the key is locked
      [PER_USERNAME_AND_IP, 1, false, false],
      [PER_USERNAME_AND_IP, 9, false, false],
      [PER_USERNAME_AND_IP, 10, true, true],
      // A lock stores one more than the limit; failures in flight when it began are counted on top.
      [PER_USERNAME_AND_IP, 11, false, true],
      [PER_USERNAME_AND_IP, 12, false, true],
      [PER_IP, 99, false, false],
      [PER_IP, 100, true, true],
      [PER_IP, 101, false, true],
      [{ ...PER_IP, maxFailures: 1 }, 1, true, true],
    ])('%o with %d failures: locks now %s, locked %s', (rule, failures, locksNow, locked) => {
      expect(failureLocks(rule, failures)).toBe(locksNow);
      expect(failuresLock(rule, failures)).toBe(locked);
    });

    test('exactly one failure of a window starts the lock, and from it on the key stays locked', () => {
      fc.assert(
        fc.property(rules, fc.integer({ min: 1, max: 5000 }), (rule, failures) => {
          const lockingFailures = Array.from({ length: failures }, (_, index) => index + 1).filter((count) => failureLocks(rule, count));
          expect(lockingFailures).toEqual(failures >= rule.maxFailures ? [rule.maxFailures] : []);
          expect(failuresLock(rule, failures)).toBe(failures >= rule.maxFailures);
        }),
        { seed: FC_SEED },
      );
    });
  });

  describe('how long a lock lasts', () => {
    test.each<[LockoutRule, number, number]>([
      // rule, lockout number within the backoff window, seconds
      [PER_USERNAME_AND_IP, 1, 60],
      [PER_USERNAME_AND_IP, 2, 120],
      [PER_USERNAME_AND_IP, 3, 240],
      [PER_USERNAME_AND_IP, 4, 480],
      [PER_USERNAME_AND_IP, 5, 960],
      [PER_USERNAME_AND_IP, 6, 1920],
      [PER_USERNAME_AND_IP, 7, 3600],
      [PER_USERNAME_AND_IP, 8, 3600],
      [PER_USERNAME_AND_IP, 1000, 3600],
      [PER_USERNAME_AND_IP, Number.MAX_SAFE_INTEGER, 3600],
      [PER_IP, 1, 900],
      [PER_IP, 2, 900],
      [PER_IP, 50, 900],
      [{ ...PER_IP, lockSeconds: 1, maxLockSeconds: 5 }, 3, 4],
      [{ ...PER_IP, lockSeconds: 1, maxLockSeconds: 5 }, 4, 5],
      // Out of range input never shortens the first lock.
      [PER_USERNAME_AND_IP, 0, 60],
      [PER_USERNAME_AND_IP, -3, 60],
    ])('%o, lockout %d → %d s', (rule, lockoutNumber, seconds) => {
      expect(lockSeconds(rule, lockoutNumber)).toBe(seconds);
    });

    test('each further lockout doubles the lock until the maximum, and never goes beyond it or below the first', () => {
      fc.assert(
        fc.property(rules, fc.integer({ min: 1, max: 100 }), (rule, lockoutNumber) => {
          const lock = lockSeconds(rule, lockoutNumber);
          const next = lockSeconds(rule, lockoutNumber + 1);
          expect(Number.isInteger(lock)).toBe(true);
          expect(lock).toBeGreaterThanOrEqual(rule.lockSeconds);
          expect(lock).toBeLessThanOrEqual(rule.maxLockSeconds);
          expect(next).toBe(Math.min(2 * lock, rule.maxLockSeconds));
        }),
        { seed: FC_SEED },
      );
    });
  });

  describe('Retry-After', () => {
    test.each<[number, number]>([
      [60_000, 60],
      [59_001, 60],
      [59_999, 60],
      [1, 1],
      [999, 1],
      [1000, 1],
      [1001, 2],
      [0, 1],
      [-5, 1],
    ])('%d ms before the lock ends → %d s', (ms, seconds) => {
      expect(retryAfterSeconds(ms)).toBe(seconds);
    });

    test('is a whole number of seconds, at least 1, never before the lock ends', () => {
      fc.assert(
        fc.property(fc.integer({ min: -1000, max: 100_000_000 }), (ms) => {
          const seconds = retryAfterSeconds(ms);
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(1);
          expect(seconds * 1000).toBeGreaterThanOrEqual(ms);
          if (ms > 0) expect(seconds * 1000 - ms).toBeLessThan(1000);
          else expect(seconds).toBe(1);
        }),
        { seed: FC_SEED },
      );
    });
  });
});
