import fc from 'fast-check';
import {
  composeSecret,
  isWellFormedSecret,
  SECRET_PREFIX,
  SECRET_RANDOM_LENGTH,
} from '../../../src/core/deploy-token-secret.js';

const FC_SEED = 20_260_106;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** `regauth_` + 32 random base62 characters + 6 base62 checksum characters. */
const SECRET_LENGTH = 8 + 32 + 6;

const bytes = (values: readonly number[]) => Uint8Array.from(values);
const ascending = bytes(Array.from({ length: 32 }, (_, i) => i));
const VALID = 'regauth_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL';

const randomBytes = fc.uint8Array({ minLength: SECRET_RANDOM_LENGTH, maxLength: 48 });

describe('composeSecret', () => {
  test('the prefix is regauth_ and the random part takes 32 bytes', () => {
    expect(SECRET_PREFIX).toBe('regauth_');
    expect(SECRET_RANDOM_LENGTH).toBe(32);
  });

  // Expected values computed independently with Python's zlib.crc32 over the base62 random part, the CRC
  // written as 6 base62 digits, most significant first.
  test.each<[string, Uint8Array, string]>([
    ['bytes 0..31 (CRC32 0x5c339a43)', ascending, VALID],
    [
      'bytes 255..224, reduced modulo 62 (CRC32 0x8c13e172)',
      bytes(Array.from({ length: 32 }, (_, i) => 255 - i)),
      'regauth_76543210zyxwvutsrqponmlkjihgfedc2Z2pmc',
    ],
    ['32 zero bytes (CRC32 0xa0f292d0)', new Uint8Array(32), 'regauth_000000000000000000000000000000002wjyrI'],
  ])('a fixed byte array gives a fixed secret: %s', (_label, input, secret) => {
    expect(composeSecret(input)).toBe(secret);
    expect(isWellFormedSecret(secret)).toBe(true);
  });

  test('bytes past the 32nd are ignored', () => {
    expect(composeSecret(bytes([...ascending, 99, 100, 101]))).toBe(VALID);
  });

  test('does not change its input', () => {
    const input = bytes([...ascending]);
    composeSecret(input);
    expect(input).toStrictEqual(ascending);
  });

  test.each([0, 1, 16, 31])('%i random bytes throw a RangeError', (length) => {
    expect(() => composeSecret(new Uint8Array(length))).toThrow(new RangeError('need at least 32 random bytes'));
  });

  test('any 32 or more bytes give a well-formed secret of the fixed shape', () => {
    fc.assert(
      fc.property(randomBytes, (input) => {
        const secret = composeSecret(input);
        expect(secret).toHaveLength(SECRET_LENGTH);
        expect(secret.startsWith('regauth_')).toBe(true);
        expect(secret).toMatch(/^regauth_[0-9A-Za-z]{38}$/);
        expect(isWellFormedSecret(secret)).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

describe('isWellFormedSecret', () => {
  test.each<[string, string]>([
    ['empty', ''],
    ['the prefix alone', 'regauth_'],
    ['wrong prefix (dash)', VALID.replace('regauth_', 'regauth-')],
    ['wrong prefix (uppercase)', VALID.replace('regauth_', 'REGAUTH_')],
    ['another vendor’s prefix', VALID.replace('regauth_', 'glpat-__')],
    ['no prefix', VALID.slice(8)],
    ['one character short', VALID.slice(0, -1)],
    ['one character long', `${VALID}0`],
    ['checksum dropped', VALID.slice(0, 8 + 32)],
    ['a dash inside', `${VALID.slice(0, 20)}-${VALID.slice(21)}`],
    ['an underscore inside', `${VALID.slice(0, 20)}_${VALID.slice(21)}`],
    ['a plus inside', `${VALID.slice(0, 20)}+${VALID.slice(21)}`],
    ['a slash inside', `${VALID.slice(0, 20)}/${VALID.slice(21)}`],
    ['a unicode letter inside', `${VALID.slice(0, 20)}é${VALID.slice(21)}`],
    ['a NUL inside', `${VALID.slice(0, 20)}\u0000${VALID.slice(21)}`],
    ['a trailing newline', `${VALID}\n`],
    ['a leading space', ` ${VALID}`],
    ['a trailing space', `${VALID} `],
    ['checksum of another random part', `${VALID.slice(0, 40)}2wjyrI`],
  ])('refuses %s', (_label, text) => {
    expect(isWellFormedSecret(text)).toBe(false);
  });

  test('accepts a valid secret', () => {
    expect(isWellFormedSecret(VALID)).toBe(true);
  });

  test('changing any single character to another base62 character makes a secret ill-formed', () => {
    fc.assert(
      fc.property(randomBytes, fc.nat({ max: SECRET_LENGTH - 1 }), fc.nat({ max: BASE62.length - 2 }), (input, at, pick) => {
        const secret = composeSecret(input);
        const others = [...BASE62].filter((ch) => ch !== secret[at]);
        const replacement = others[pick % others.length] ?? '';
        const changed = secret.slice(0, at) + replacement + secret.slice(at + 1);
        expect(changed).not.toBe(secret);
        expect(isWellFormedSecret(changed)).toBe(false);
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  test('every single-character substitution of the pinned secret is detected (exhaustive)', () => {
    let checked = 0;
    for (let at = 0; at < VALID.length; at += 1) {
      for (const ch of BASE62) {
        if (ch === VALID[at]) continue;
        expect(isWellFormedSecret(VALID.slice(0, at) + ch + VALID.slice(at + 1))).toBe(false);
        checked += 1;
      }
    }
    // 46 positions, 61 alternatives each, plus one more at the 8th where `_` is not base62.
    expect(checked).toBe(46 * 61 + 1);
  });

  test('a string of the right shape is refused unless its checksum is the one composeSecret gives', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BASE62), minLength: 38, maxLength: 38 }), (body) => {
        const text = `regauth_${body}`;
        fc.pre(text !== composeSecret(Uint8Array.from([...body.slice(0, 32)].map((ch) => BASE62.indexOf(ch)))));
        expect(isWellFormedSecret(text)).toBe(false);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
