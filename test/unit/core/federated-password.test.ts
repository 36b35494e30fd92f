import fc from 'fast-check';
import { isWellFormedSecret } from '../../../src/core/deploy-token-secret.js';
import {
  composeFederatedPassword,
  FEDERATED_PASSWORD_PREFIX,
  isWellFormedFederatedPassword,
  looksLikeFederatedPassword,
} from '../../../src/core/federation/federated-password.js';

const FC_SEED = 20_261_203;
const ascending = Uint8Array.from(Array.from({ length: 32 }, (_, i) => i));
/** The deploy-token secret of the same bytes is regauth_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL (CRC32 checked there). */
const VALID = 'regauth_fed_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL';
const randomBytes = fc.uint8Array({ minLength: 32, maxLength: 48 });

describe('minted credential passwords', () => {
  test('regauth_fed_, the base62 random part and the same CRC32 checksum as a deploy-token secret', () => {
    expect(FEDERATED_PASSWORD_PREFIX).toBe('regauth_fed_');
    expect(composeFederatedPassword(ascending)).toBe(VALID);
  });

  test('fewer than 32 bytes are refused', () => {
    expect(() => composeFederatedPassword(new Uint8Array(31))).toThrow(RangeError);
  });

  test.each<[string, string, boolean]>([
    ['a composed password', VALID, true],
    ['one character changed', VALID.replace('0123', '0124'), false],
    ['the checksum changed', `${VALID.slice(0, -1)}M`, false],
    ['one character short', VALID.slice(0, -1), false],
    ['one character long', `${VALID}a`, false],
    ['a deploy-token secret', 'regauth_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL', false],
    ['a character outside base62', VALID.replace('A', '-'), false],
    ['empty', '', false],
  ])('%s → %p', (_what, text, expected) => {
    expect(isWellFormedFederatedPassword(text)).toBe(expected);
  });

  test('never has the shape of a deploy-token secret, and always claims its own module', () => {
    fc.assert(
      fc.property(randomBytes, (bytes) => {
        const password = composeFederatedPassword(bytes);
        return isWellFormedFederatedPassword(password) && !isWellFormedSecret(password) && looksLikeFederatedPassword(password);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  test('any single character changed in the random part or checksum is refused', () => {
    fc.assert(
      fc.property(randomBytes, fc.nat(), fc.constantFrom(...'0123456789abcdefXYZ'), (bytes, position, replacement) => {
        const password = composeFederatedPassword(bytes);
        const index = FEDERATED_PASSWORD_PREFIX.length + (position % (password.length - FEDERATED_PASSWORD_PREFIX.length));
        fc.pre(password[index] !== replacement);
        const changed = password.slice(0, index) + replacement + password.slice(index + 1);
        return !isWellFormedFederatedPassword(changed);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
