import fc from 'fast-check';
import { parseTokenLifetime, TokenLifetimeError } from '../../../src/core/token-lifetime.js';

const FC_SEED = 20_261_206;
const MAX = 3600;

describe('parseTokenLifetime', () => {
  test.each<[string, number, number]>([
    ['60', MAX, 60],
    ['61', MAX, 61],
    ['900', MAX, 900],
    ['3600', MAX, 3600],
    ['60s', MAX, 60],
    ['900s', MAX, 900],
    ['1m', MAX, 60],
    ['15m', MAX, 900],
    ['60m', MAX, 3600],
    ['1h', MAX, 3600],
    ['2h', 86_400, 7200],
    ['24h', 86_400, 86_400],
    ['1440m', 86_400, 86_400],
    ['86400', 86_400, 86_400],
    [' 900 ', MAX, 900],
    ['\t15m\n', MAX, 900],
    ['60', 60, 60],
  ])('%j with a maximum of %d → %d seconds', (text, max, seconds) => {
    expect(parseTokenLifetime(text, max)).toBe(seconds);
  });

  test.each<[string, number, string]>([
    ['59', MAX, 'it must be between 60 and 3600 seconds'],
    ['59s', MAX, 'it must be between 60 and 3600 seconds'],
    ['3601', MAX, 'it must be between 60 and 3600 seconds'],
    ['61m', MAX, 'it must be between 60 and 3600 seconds'],
    ['2h', MAX, 'it must be between 60 and 3600 seconds'],
    ['25h', 86_400, 'it must be between 60 and 86400 seconds'],
    ['999999', MAX, 'it must be between 60 and 3600 seconds'],
    ['999999h', MAX, 'it must be between 60 and 3600 seconds'],
    ['0', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['0m', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['060', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['1234567', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['   ', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['-60', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['+60', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['1.5h', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['90.0', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['1e3', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['0x100', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['1d', 86_400, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['1H', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['15M', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['15 m', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['1h30m', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['15min', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['m', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
    ['９００', MAX, 'use seconds or a duration such as 900s, 15m or 2h'],
  ])('refuses %j (maximum %d): %s', (text, max, reason) => {
    let caught: unknown;
    try {
      parseTokenLifetime(text, max);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TokenLifetimeError);
    const error = caught as TokenLifetimeError;
    expect(error.code).toBe('invalid_token_lifetime');
    expect(error.name).toBe('TokenLifetimeError');
    expect(error.message).toBe(`invalid token lifetime "${text}": ${reason}`);
  });

  test('property: any whole number of seconds, minutes or hours is read exactly when it is within bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999 }),
        fc.constantFrom(['', 1], ['s', 1], ['m', 60], ['h', 3600]) as fc.Arbitrary<[string, number]>,
        fc.integer({ min: 60, max: 86_400 }),
        (count, [unit, size], max) => {
          const seconds = count * size;
          const text = `${count}${unit}`;
          if (seconds >= 60 && seconds <= max) expect(parseTokenLifetime(text, max)).toBe(seconds);
          else expect(() => parseTokenLifetime(text, max)).toThrow(TokenLifetimeError);
        },
      ),
      { seed: FC_SEED, numRuns: 2_000 },
    );
  });

  test('property: a result is always a whole number within [60, max]', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.integer({ min: 60, max: 86_400 }), (text, max) => {
        let seconds: number | undefined;
        try {
          seconds = parseTokenLifetime(text, max);
        } catch (error) {
          expect(error).toBeInstanceOf(TokenLifetimeError);
          return;
        }
        expect(Number.isInteger(seconds)).toBe(true);
        expect(seconds).toBeGreaterThanOrEqual(60);
        expect(seconds).toBeLessThanOrEqual(max);
      }),
      { seed: FC_SEED, numRuns: 2_000 },
    );
  });
});
