import fc from 'fast-check';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { ADMIN_KEY_PREFIX, isWellFormedOpaqueToken, REFRESH_TOKEN_PREFIX } from '../../../src/core/opaque-token.js';

const FC_SEED = 20_261_207;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RANDOM_43 = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_aBcDe';

describe('isWellFormedOpaqueToken', () => {
  test('the prefixes say what the token is', () => {
    expect(REFRESH_TOKEN_PREFIX).toBe('regauth_rt_');
    expect(ADMIN_KEY_PREFIX).toBe('regauth_admin_');
    expect(RANDOM_43).toHaveLength(43);
  });

  test.each<[string, string, boolean]>([
    ['a refresh token', `regauth_rt_${RANDOM_43}`, true],
    ['an admin key', `regauth_admin_${RANDOM_43}`, true],
    ['all dashes and underscores', `regauth_rt_${'-_'.repeat(21)}-`, true],
    ['one character short', `regauth_rt_${RANDOM_43.slice(1)}`, false],
    ['one character long', `regauth_rt_${RANDOM_43}A`, false],
    ['base64 padding', `regauth_rt_${RANDOM_43.slice(1)}=`, false],
    ['standard base64 +', `regauth_rt_${RANDOM_43.slice(1)}+`, false],
    ['standard base64 /', `regauth_rt_${RANDOM_43.slice(1)}/`, false],
    ['a space', `regauth_rt_${RANDOM_43.slice(1)} `, false],
    ['a trailing newline', `regauth_rt_${RANDOM_43}\n`, false],
    ['no prefix', RANDOM_43, false],
    ['the prefix alone', 'regauth_rt_', false],
    ['an upper-case prefix', `REGAUTH_RT_${RANDOM_43}`, false],
    ['a deploy-token secret', 'regauth_0123456789abcdefghijABCDEFGHIJ0123ABCDEF', false],
    ['empty', '', false],
  ])('refresh-token prefix, %s → %s', (_label, text, wellFormed) => {
    const prefix = text.startsWith('regauth_admin_') ? ADMIN_KEY_PREFIX : REFRESH_TOKEN_PREFIX;
    expect(isWellFormedOpaqueToken(text, prefix)).toBe(wellFormed);
  });

  test('a token made with one prefix is not well formed for the other', () => {
    expect(isWellFormedOpaqueToken(`regauth_rt_${RANDOM_43}`, ADMIN_KEY_PREFIX)).toBe(false);
    expect(isWellFormedOpaqueToken(`regauth_admin_${RANDOM_43}`, REFRESH_TOKEN_PREFIX)).toBe(false);
  });

  test('property: exactly 43 base64url characters after the prefix are well formed', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 0, maxLength: 60 }), (random) => {
        expect(isWellFormedOpaqueToken(`${REFRESH_TOKEN_PREFIX}${random}`, REFRESH_TOKEN_PREFIX)).toBe(random.length === 43);
      }),
      { seed: FC_SEED, numRuns: 1_000 },
    );
  });

  test('property: any character outside base64url makes it malformed', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 42, maxLength: 42 }),
        fc.string({ minLength: 1, maxLength: 1 }).filter((character) => !BASE64URL.includes(character)),
        fc.integer({ min: 0, max: 42 }),
        (random, bad, at) => {
          const text = `${REFRESH_TOKEN_PREFIX}${random.slice(0, at)}${bad}${random.slice(at)}`;
          expect(isWellFormedOpaqueToken(text, REFRESH_TOKEN_PREFIX)).toBe(false);
        },
      ),
      { seed: FC_SEED, numRuns: 1_000 },
    );
  });

  test('tokens the service generates are well formed, distinct, and their digest is a SHA-256 hex', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const token = randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX);
      expect(isWellFormedOpaqueToken(token, REFRESH_TOKEN_PREFIX)).toBe(true);
      expect(isWellFormedOpaqueToken(randomOpaqueTokens.generate(ADMIN_KEY_PREFIX), ADMIN_KEY_PREFIX)).toBe(true);
      seen.add(token);
      const digest = randomOpaqueTokens.digest(token);
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(randomOpaqueTokens.digest(token)).toBe(digest);
      expect(digest).not.toContain(token.slice(REFRESH_TOKEN_PREFIX.length));
    }
    expect(seen.size).toBe(200);
  });
});
