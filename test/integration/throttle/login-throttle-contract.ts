import { jest } from '@jest/globals';
import { TooManyAttemptsError } from '../../../src/app/errors.js';
import type { LoginAttempt, LoginThrottle } from '../../../src/app/ports.js';
import type { LoginThrottleRules } from '../../../src/core/login-throttle-policy.js';
import { RateLimiterLoginThrottle, type LimiterFactory } from '../../../src/adapters/throttle/rate-limiter-login-throttle.js';

/** The defaults of config/default.yaml. */
export const DEFAULT_RULES: LoginThrottleRules = {
  perUsernameAndIp: { maxFailures: 10, windowSeconds: 600, lockSeconds: 60, maxLockSeconds: 3600, backoffWindowSeconds: 86_400 },
  perIp: { maxFailures: 100, windowSeconds: 600, lockSeconds: 900, maxLockSeconds: 900, backoffWindowSeconds: 86_400 },
};

const T0 = new Date('2026-11-23T10:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface ThrottleBackend {
  readonly limiters: LimiterFactory;
  /** Empties the counters (a new throttle on memory counters starts empty anyway). */
  reset(): Promise<void>;
  /** Makes the backend's storage unreachable; null when it cannot fail (memory). */
  readonly breakStorage: (() => Promise<void>) | null;
}

/**
 * Every lockout rule, with the clock controlled: only `Date` is faked (rate-limiter-flexible reads
 * Date.now()), so database drivers keep their real timers and I/O.
 */
export function loginThrottleContract(name: string, openBackend: () => Promise<ThrottleBackend & { close(): Promise<void> }>): void {
  describe(`brute-force protection on ${name}`, () => {
    let backend: ThrottleBackend & { close(): Promise<void> };
    let throttle: LoginThrottle;
    let now: number;

    const at = (time: number) => {
      now = time;
      jest.setSystemTime(now);
    };
    const advance = (ms: number) => at(now + ms);
    const attempt = (username: string, clientIp = '198.51.100.7'): LoginAttempt => ({ username, clientIp });

    async function fail(times: number, login: LoginAttempt | ((index: number) => LoginAttempt), hashed = true): Promise<void> {
      for (let index = 0; index < times; index += 1) {
        await throttle.recordFailure(typeof login === 'function' ? login(index) : login, { hashed });
      }
    }

    /** Whether the address of `login` has spent its hashing budget (throws while the login is locked). */
    async function overBudget(login: LoginAttempt): Promise<boolean> {
      return (await throttle.assertAllowed(login)).addressOverBudget;
    }

    /** The Retry-After a login would get now, or null when it is allowed. */
    async function retryAfter(login: LoginAttempt): Promise<number | null> {
      try {
        await throttle.assertAllowed(login);
        return null;
      } catch (error) {
        if (error instanceof TooManyAttemptsError) return error.retryAfterSeconds;
        throw error;
      }
    }

    /** Locks `login` by the per-(username, address) rule and returns how long the lock lasts, in seconds. */
    async function lockOnce(login: LoginAttempt): Promise<number> {
      await fail(10, login);
      const seconds = await retryAfter(login);
      if (seconds === null) throw new Error('expected a lockout');
      advance(seconds * SECOND);
      expect(await retryAfter(login)).toBeNull();
      return seconds;
    }

    beforeAll(async () => {
      backend = await openBackend();
    });

    afterAll(async () => {
      jest.useRealTimers();
      await backend.close();
    });

    beforeEach(async () => {
      jest.useFakeTimers({
        doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
      });
      at(T0.getTime());
      await backend.reset();
      throttle = new RateLimiterLoginThrottle(DEFAULT_RULES, backend.limiters);
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    describe('per username and client address: 10 failures within 10 minutes lock for 60 s', () => {
      test('9 failures leave the login allowed; the 10th locks it for 60 s', async () => {
        await fail(9, attempt('ci-bot'));
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();

        await throttle.recordFailure(attempt('ci-bot'), { hashed: true });
        expect(await retryAfter(attempt('ci-bot'))).toBe(60);
      });

      test('the lock counts down and ends after 60 s', async () => {
        await fail(10, attempt('ci-bot'));

        advance(20 * SECOND);
        expect(await retryAfter(attempt('ci-bot'))).toBe(40);
        advance(39 * SECOND + 500);
        expect(await retryAfter(attempt('ci-bot'))).toBe(1);
        advance(500);
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();
      });

      test('failures in an earlier 10-minute window do not add up with later ones', async () => {
        await fail(9, attempt('ci-bot'));
        advance(10 * MINUTE);
        await fail(9, attempt('ci-bot'));
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();

        await throttle.recordFailure(attempt('ci-bot'), { hashed: true });
        expect(await retryAfter(attempt('ci-bot'))).toBe(60);
      });

      test('failures spread within the window add up', async () => {
        await fail(9, attempt('ci-bot'));
        advance(10 * MINUTE - SECOND);
        await throttle.recordFailure(attempt('ci-bot'), { hashed: true });
        expect(await retryAfter(attempt('ci-bot'))).toBe(60);
      });

      test('after a lock ends, counting starts again from zero', async () => {
        await lockOnce(attempt('ci-bot'));
        await fail(9, attempt('ci-bot'));
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();
      });

      test('a success forgets the failures of its username and address', async () => {
        await fail(9, attempt('ci-bot'));
        await throttle.recordSuccess(attempt('ci-bot'));
        await fail(9, attempt('ci-bot'));
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();

        await throttle.recordFailure(attempt('ci-bot'), { hashed: true });
        expect(await retryAfter(attempt('ci-bot'))).toBe(60);
      });
    });

    describe('backoff: each further lockout within 24 h doubles the lock, up to 1 h', () => {
      test('60 s, 120 s, 240 s … then 1 h, and 1 h again', async () => {
        const locks: number[] = [];
        for (let lockout = 0; lockout < 8; lockout += 1) locks.push(await lockOnce(attempt('ci-bot')));
        expect(locks).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
      });

      test('a success in between does not reset the backoff', async () => {
        await lockOnce(attempt('ci-bot'));
        await throttle.recordSuccess(attempt('ci-bot'));
        expect(await lockOnce(attempt('ci-bot'))).toBe(120);
      });

      test('24 h after the first lockout the backoff starts over', async () => {
        expect(await lockOnce(attempt('ci-bot'))).toBe(60);
        expect(await lockOnce(attempt('ci-bot'))).toBe(120);
        at(T0.getTime() + 24 * HOUR);
        expect(await lockOnce(attempt('ci-bot'))).toBe(60);
      });

      test('the backoff of one username and address is not another’s', async () => {
        await lockOnce(attempt('ci-bot'));
        expect(await lockOnce(attempt('ci-bot', '198.51.100.8'))).toBe(60);
        expect(await lockOnce(attempt('other-bot'))).toBe(60);
      });
    });

    describe('no lockout keyed on the username alone (Kubernetes nodes retry stale secrets in bursts)', () => {
      test('failures from one address do not lock the same username from another address', async () => {
        await fail(50, attempt('ci-bot', '198.51.100.7'));
        expect(await retryAfter(attempt('ci-bot', '198.51.100.7'))).toBe(60);

        expect(await retryAfter(attempt('ci-bot', '198.51.100.8'))).toBeNull();
        expect(await retryAfter(attempt('ci-bot', '2001:db8::8'))).toBeNull();
      });

      test('9 failures of one username from each of 20 addresses lock none of them', async () => {
        await fail(9 * 20, (index) => attempt('ci-bot', `198.51.100.${index % 20}`));
        for (let host = 0; host < 20; host += 1) expect(await retryAfter(attempt('ci-bot', `198.51.100.${host}`))).toBeNull();
      });

      test('a locked username and address does not lock another username from that address', async () => {
        await fail(10, attempt('ci-bot'));
        expect(await retryAfter(attempt('other-bot'))).toBeNull();
      });
    });

    describe('per client address: 100 hashed failures within 10 minutes spend its hashing budget for 15 minutes, and refuse nothing', () => {
      test('99 leave the budget; the 100th spends it for the whole address, but no login is refused for it', async () => {
        await fail(99, (index) => attempt(`guess-${index}`));
        expect(await overBudget(attempt('ci-bot'))).toBe(false);

        await throttle.recordFailure(attempt('guess-99'), { hashed: true });
        expect(await overBudget(attempt('ci-bot'))).toBe(true);
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();
        expect(() => throttle.recall(attempt('ci-bot'))).not.toThrow();
        expect(await overBudget(attempt('ci-bot', '198.51.100.8'))).toBe(false);
      });

      test('failures that cost no hash do not spend it', async () => {
        await fail(150, (index) => attempt(`guess-${index}`), false);
        expect(await overBudget(attempt('ci-bot'))).toBe(false);
      });

      test('checks turned away by a full bcrypt queue spend it', async () => {
        for (let index = 0; index < 100; index += 1) await throttle.recordTurnedAway('198.51.100.7');
        expect(await overBudget(attempt('ci-bot'))).toBe(true);
        expect(await retryAfter(attempt('ci-bot'))).toBeNull();
      });

      test('it is restored after 15 minutes and the next time lasts 15 minutes again', async () => {
        await fail(100, (index) => attempt(`guess-${index}`));
        advance(15 * MINUTE - SECOND);
        expect(await overBudget(attempt('ci-bot'))).toBe(true);
        advance(SECOND);
        expect(await overBudget(attempt('ci-bot'))).toBe(false);

        await fail(100, (index) => attempt(`again-${index}`));
        advance(15 * MINUTE - SECOND);
        expect(await overBudget(attempt('ci-bot'))).toBe(true);
        advance(SECOND);
        expect(await overBudget(attempt('ci-bot'))).toBe(false);
      });

      test('failures spread over more than 10 minutes do not spend it', async () => {
        await fail(99, (index) => attempt(`guess-${index}`));
        advance(10 * MINUTE);
        await fail(99, (index) => attempt(`later-${index}`));
        expect(await overBudget(attempt('ci-bot'))).toBe(false);
      });

      test('a success does not restore it', async () => {
        await fail(99, (index) => attempt(`guess-${index}`));
        await throttle.recordSuccess(attempt('ci-bot'));
        await throttle.recordFailure(attempt('guess-99'), { hashed: true });
        expect(await overBudget(attempt('ci-bot'))).toBe(true);
      });

      test('IPv6 addresses share the budget of their /64', async () => {
        await fail(100, (index) => attempt(`guess-${index}`, `2001:db8:5:6::${(index + 1).toString(16)}`));
        expect(await overBudget(attempt('ci-bot', '2001:db8:5:6:1:2:3:4'))).toBe(true);
        expect(await overBudget(attempt('ci-bot', '2001:db8:5:7::1'))).toBe(false);
      });
    });

    describe('what this process saw, for requests that need no database (a secret still in the cache)', () => {
      const recalledRetryAfter = (login: LoginAttempt): number | null => {
        try {
          throttle.recall(login);
          return null;
        } catch (error) {
          if (error instanceof TooManyAttemptsError) return error.retryAfterSeconds;
          throw error;
        }
      };

      test('a lock it made is recalled with its Retry-After until it ends, without asking the store', async () => {
        await fail(10, attempt('ci-bot'));
        expect(recalledRetryAfter(attempt('ci-bot'))).toBe(60);
        expect(recalledRetryAfter(attempt('ci-bot', '198.51.100.8'))).toBeNull();
        advance(60 * SECOND);
        expect(recalledRetryAfter(attempt('ci-bot'))).toBeNull();
      });

      test('a spent address budget refuses nothing, recalled or not', async () => {
        await fail(100, (index) => attempt(`user-${index}`));
        expect(recalledRetryAfter(attempt('someone-else'))).toBeNull();
      });

      test('failures it counted are recalled as pending until a success forgets them', async () => {
        expect(throttle.recall(attempt('ci-bot'))).toEqual({ pendingFailures: false });
        await fail(3, attempt('ci-bot'));
        expect(throttle.recall(attempt('ci-bot'))).toEqual({ pendingFailures: true });
        expect(throttle.recall(attempt('someone-else'))).toEqual({ pendingFailures: false });
        await throttle.recordSuccess(attempt('ci-bot'));
        expect(throttle.recall(attempt('ci-bot'))).toEqual({ pendingFailures: false });
      });

      test('the store says whether failures are pending for a username and address', async () => {
        await fail(2, attempt('ci-bot'));
        await expect(throttle.assertAllowed(attempt('ci-bot'))).resolves.toEqual({ pendingFailures: true, addressOverBudget: false });
        await expect(throttle.assertAllowed(attempt('nobody'))).resolves.toEqual({ pendingFailures: false, addressOverBudget: false });
      });
    });

    test('an IPv4 client seen through an IPv6 socket is the same client', async () => {
      await fail(5, attempt('ci-bot', '::ffff:198.51.100.7'));
      await fail(5, attempt('ci-bot', '198.51.100.7'));
      expect(await retryAfter(attempt('ci-bot', '::ffff:198.51.100.7'))).toBe(60);
      expect(await retryAfter(attempt('ci-bot', '198.51.100.7'))).toBe(60);
    });

    test('usernames of any length and characters are counted apart', async () => {
      const long = 'x'.repeat(10_000);
      await fail(10, attempt(long));
      expect(await retryAfter(attempt(long))).toBe(60);
      expect(await retryAfter(attempt(`${long}y`))).toBeNull();
      await fail(10, attempt("ci-bot'; DROP TABLE login_failures; --"));
      expect(await retryAfter(attempt("ci-bot'; DROP TABLE login_failures; --"))).toBe(60);
      expect(await retryAfter(attempt('ci-bot'))).toBeNull();
    });
  });
}

/** Extra cases for a backend whose counters live in a database: shared by replicas, and failing closed. */
export function sharedLoginThrottleContract(
  name: string,
  openBackend: () => Promise<ThrottleBackend & { close(): Promise<void> }>,
  openReplica: (backend: ThrottleBackend) => Promise<{ limiters: LimiterFactory; close(): Promise<void> }>,
): void {
  describe(`brute-force protection on ${name}, across replicas`, () => {
    let backend: ThrottleBackend & { close(): Promise<void> };

    beforeAll(async () => {
      backend = await openBackend();
      await backend.reset();
    });

    afterAll(async () => {
      await backend.close();
    });

    test('failures seen by one replica lock the login on another, and a success on either clears them', async () => {
      const replica = await openReplica(backend);
      try {
        const first = new RateLimiterLoginThrottle(DEFAULT_RULES, backend.limiters);
        const second = new RateLimiterLoginThrottle(DEFAULT_RULES, replica.limiters);
        const login = { username: 'ci-bot', clientIp: '203.0.113.9' };

        for (let index = 0; index < 5; index += 1) await first.recordFailure(login, { hashed: true });
        await second.recordSuccess(login);
        for (let index = 0; index < 5; index += 1) await first.recordFailure(login, { hashed: true });
        await expect(second.assertAllowed(login)).resolves.toEqual({ pendingFailures: true, addressOverBudget: false });
        for (let index = 0; index < 5; index += 1) await second.recordFailure(login, { hashed: true });

        await expect(first.assertAllowed(login)).rejects.toBeInstanceOf(TooManyAttemptsError);
        // The first replica has not seen the second's lock until its store tells it; then it recalls it.
        const third = new RateLimiterLoginThrottle(DEFAULT_RULES, backend.limiters);
        expect(() => third.recall(login)).not.toThrow();
        await expect(third.assertAllowed(login)).rejects.toBeInstanceOf(TooManyAttemptsError);
        expect(() => third.recall(login)).toThrow(TooManyAttemptsError);
        await expect(second.assertAllowed(login)).rejects.toBeInstanceOf(TooManyAttemptsError);
      } finally {
        await replica.close();
      }
    });

    test('concurrent failures from replicas lock exactly once (no doubled backoff from a race)', async () => {
      const replica = await openReplica(backend);
      try {
        const throttles = [new RateLimiterLoginThrottle(DEFAULT_RULES, backend.limiters), new RateLimiterLoginThrottle(DEFAULT_RULES, replica.limiters)];
        const login = { username: 'race-bot', clientIp: '203.0.113.10' };
        await Promise.all(Array.from({ length: 14 }, (_, index) => (throttles[index % 2] as LoginThrottle).recordFailure(login, { hashed: true })));

        const locked = await throttles[0]?.assertAllowed(login).then(
          () => null,
          (error: unknown) => (error as TooManyAttemptsError).retryAfterSeconds,
        );
        expect(locked).toBe(60);
      } finally {
        await replica.close();
      }
    });

    test('a store that cannot be reached rejects with its own error, so the issuer answers 503', async () => {
      const throttle = new RateLimiterLoginThrottle(DEFAULT_RULES, backend.limiters);
      const login = { username: 'ci-bot', clientIp: '203.0.113.11' };
      await backend.breakStorage?.();

      for (const call of [throttle.assertAllowed(login), throttle.recordFailure(login, { hashed: true }), throttle.recordTurnedAway(login.clientIp), throttle.recordSuccess(login)]) {
        const error = await call.then(() => null, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(TooManyAttemptsError);
      }
    });
  });
}
