import fc from 'fast-check';
import { prunableKeys, retiredKeyRetentionMs, scheduleKeys, type KeyStatus, type ScheduledKey } from '../../../src/core/key-schedule.js';

const FC_SEED = 20_260_302;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;
const FAR = T0 + 3650 * 86_400_000;

interface Key extends ScheduledKey {
  readonly name: string;
}

/** A key named `name` that activates `at` minutes after T0 and whose certificate ends `until` minutes after T0. */
const key = (name: string, at: number, until = (FAR - T0) / MIN): Key => ({
  name,
  activatesAt: new Date(T0 + at * MIN),
  notAfter: new Date(T0 + until * MIN),
});
const minutes = (count: number) => new Date(T0 + count * MIN);

describe('scheduleKeys', () => {
  // [keys, now (minutes after T0), expected status of each key by name, the key that signs]
  const CASES: readonly [string, Key[], number, Record<string, KeyStatus>, string | null][] = [
    ['no keys', [], 0, {}, null],
    ['one active key', [key('a', 0)], 5, { a: 'signing' }, 'a'],
    ['a key activates at its exact time', [key('a', 0), key('b', 10)], 10, { a: 'retired', b: 'signing' }, 'b'],
    ['a staged key waits', [key('a', 0), key('b', 10)], 9, { a: 'signing', b: 'next' }, 'a'],
    ['the newest active key signs, older ones are retired', [key('a', 0), key('b', 5), key('c', 10)], 20, { a: 'retired', b: 'retired', c: 'signing' }, 'c'],
    ['order given does not matter', [key('c', 10), key('a', 0), key('b', 5)], 7, { a: 'retired', b: 'signing', c: 'next' }, 'b'],
    ['an expired key never signs', [key('a', 0), key('b', 5, 8)], 9, { a: 'signing', b: 'expired' }, 'a'],
    ['expired at exactly notAfter', [key('a', 0, 9)], 9, { a: 'expired' }, null],
    ['only future keys: the first to activate signs early', [key('b', 10), key('c', 20)], 0, { b: 'signing', c: 'next' }, 'b'],
  ];

  test.each(CASES)('%s', (_, keys, now, statuses, signing) => {
    const schedule = scheduleKeys(keys, minutes(now));
    expect(Object.fromEntries(schedule.entries.map((entry) => [entry.key.name, entry.status]))).toEqual(statuses);
    expect(schedule.signing?.name ?? null).toBe(signing);
  });

  test('signingEarly only when no live key has reached its activation time', () => {
    expect(scheduleKeys([key('b', 10)], minutes(0)).signingEarly).toBe(true);
    expect(scheduleKeys([key('a', 0), key('b', 10)], minutes(0)).signingEarly).toBe(false);
    expect(scheduleKeys([], minutes(0)).signingEarly).toBe(false);
  });

  test('a retired key is retired at the activation of the key after it', () => {
    const entries = scheduleKeys([key('a', 0), key('b', 5), key('c', 10)], minutes(20)).entries;
    expect(entries.map((entry) => entry.retiredAt?.toISOString() ?? null)).toEqual([
      minutes(5).toISOString(),
      minutes(10).toISOString(),
      null,
    ]);
  });

  test('properties: at most one signer; it is live and no other live key activated later but not after now', () => {
    const keysArbitrary = fc.uniqueArray(
      fc.record({ at: fc.integer({ min: -100, max: 100 }), life: fc.integer({ min: 1, max: 400 }) }),
      { selector: (entry) => entry.at, maxLength: 8 },
    );
    fc.assert(
      fc.property(keysArbitrary, fc.integer({ min: -150, max: 300 }), (specs, now) => {
        const keys = specs.map((spec, index) => key(`k${index}`, spec.at, spec.at + spec.life));
        const schedule = scheduleKeys(keys, minutes(now));
        const signers = schedule.entries.filter((entry) => entry.status === 'signing');
        const live = keys.filter((candidate) => candidate.notAfter.getTime() > minutes(now).getTime());
        expect(signers.length).toBe(live.length === 0 ? 0 : 1);
        expect(schedule.entries).toHaveLength(keys.length);
        const signer = schedule.signing;
        if (signer === null) return;
        expect(live).toContain(signer);
        if (!schedule.signingEarly) {
          expect(signer.activatesAt.getTime()).toBeLessThanOrEqual(minutes(now).getTime());
          for (const other of live) {
            const activeLater = other.activatesAt > signer.activatesAt && other.activatesAt.getTime() <= minutes(now).getTime();
            expect(activeLater).toBe(false);
          }
        }
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('prunableKeys', () => {
  const keys = [key('a', 0), key('b', 60), key('c', 120), key('expired', -10, 30)];

  test.each<[number, number, string[]]>([
    // [now, keep retired (minutes), prunable]
    [61, 10, ['expired']],
    [70, 10, ['a', 'expired']],
    [69, 10, ['expired']],
    [130, 10, ['a', 'b', 'expired']],
    [130, 1000, ['expired']],
    [10, 0, ['expired']], // not expired yet, but retired since +0 when a took over
    [-5, 0, []],
  ])('at +%p min, keeping retired keys %p min: %j', (now, keep, expected) => {
    expect(prunableKeys(keys, minutes(now), keep * MIN).map((entry) => entry.name).sort()).toEqual(expected);
  });

  test('never offers the signing key or a next key', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 300 }), fc.integer({ min: 0, max: 200 }), (now, keep) => {
        const schedule = scheduleKeys(keys, minutes(now));
        const pruned = prunableKeys(keys, minutes(now), keep * MIN);
        for (const entry of schedule.entries) {
          if (entry.status === 'signing' || entry.status === 'next') expect(pruned).not.toContain(entry.key);
        }
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});

describe('retiredKeyRetentionMs', () => {
  const HOUR = 60 * MIN;

  test.each<[string, number, number]>([
    // [what, token.maxLifetimeSeconds, how long a retired key stays published]
    ['the shortest lifetime', 60, MIN + MIN + HOUR],
    ['the default maximum, 1 h', 3600, HOUR + MIN + HOUR],
    ['a maximum of a day', 86_400, 24 * HOUR + MIN + HOUR],
  ])('%s (%p s): the maximum lifetime, the registry leeway and an hour', (_, maxLifetimeSeconds, expected) => {
    expect(retiredKeyRetentionMs(maxLifetimeSeconds)).toBe(expected);
  });

  test.each<[number, number, string[]]>([
    // [token.maxLifetimeSeconds, now (minutes after T0), prunable]: a took over at 0 and retired at 60.
    [3600, 60 + 121, ['a', 'expired']],
    [3600, 60 + 120, ['expired']],
    [86_400, 60 + 121, ['expired']],
    [86_400, 60 + 24 * 60 + 61, ['a', 'expired']],
    [86_400, 60 + 24 * 60 + 60, ['expired']],
  ])('with token.maxLifetimeSeconds %p, at +%p min: %j', (maxLifetimeSeconds, now, expected) => {
    const keys = [key('a', 0), key('b', 60), key('expired', -10, 30)];
    const pruned = prunableKeys(keys, minutes(now), retiredKeyRetentionMs(maxLifetimeSeconds));
    expect(pruned.map((entry) => entry.name).sort()).toEqual(expected);
  });
});
