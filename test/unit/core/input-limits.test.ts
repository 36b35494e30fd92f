import fc from 'fast-check';
import { composeSecret, isWellFormedSecret, SECRET_LENGTH, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { MAX_NAME_LENGTH } from '../../../src/core/resource-name.js';
import {
  MAX_SCOPE_LENGTH,
  MAX_SCOPES_PER_REQUEST,
  parseScope,
  parseScopeParameters,
  ScopeSyntaxError,
  TooManyScopesError,
} from '../../../src/core/scope.js';
import { isPossibleUsername, MAX_USERNAME_LENGTH, parseChosenUsername, UsernameError } from '../../../src/core/username.js';

const FC_SEED = 20_261_105;

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const scopeFor = (index: number) => `repository:team/app${index}:pull`;

describe('scope limits', () => {
  test.each<[string, string[], number]>([
    ['exactly the limit, repeated parameters', Array.from({ length: MAX_SCOPES_PER_REQUEST }, (_, i) => scopeFor(i)), MAX_SCOPES_PER_REQUEST],
    ['exactly the limit, one space-separated value', [Array.from({ length: MAX_SCOPES_PER_REQUEST }, (_, i) => scopeFor(i)).join(' ')], MAX_SCOPES_PER_REQUEST],
    ['the same scope repeated up to the limit merges into one', Array.from({ length: MAX_SCOPES_PER_REQUEST }, () => scopeFor(0)), 1],
    ['empty values and extra spaces do not count', ['', '   ', `  ${scopeFor(1)}  `, ''], 1],
  ])('accepts %s', (_name, values, resources) => {
    expect(parseScopeParameters(values)).toHaveLength(resources);
  });

  test.each<[string, string[]]>([
    ['one more than the limit, repeated parameters', Array.from({ length: MAX_SCOPES_PER_REQUEST + 1 }, (_, i) => scopeFor(i))],
    ['one more than the limit, space-separated', [Array.from({ length: MAX_SCOPES_PER_REQUEST + 1 }, (_, i) => scopeFor(i)).join(' ')]],
    ['the same scope repeated ten thousand times', [Array.from({ length: 10_000 }, () => scopeFor(0)).join(' ')]],
    ['many invalid scopes: counted before any is parsed', Array.from({ length: MAX_SCOPES_PER_REQUEST + 1 }, () => 'garbage')],
  ])('refuses %s with invalid_scope', (_name, values) => {
    const error = thrownBy(() => parseScopeParameters(values));
    expect(error).toBeInstanceOf(TooManyScopesError);
    expect(error).toMatchObject({ code: 'invalid_scope', message: expect.stringContaining(`at most ${MAX_SCOPES_PER_REQUEST}`) });
  });

  test('the longest valid scope fits well under the length limit', () => {
    const longest = `repository(plugin):${'a'.repeat(MAX_NAME_LENGTH)}:pull,push,delete,*`;
    expect(longest.length).toBeLessThan(MAX_SCOPE_LENGTH);
    expect(parseScope(longest).name).toHaveLength(MAX_NAME_LENGTH);
  });

  test.each([
    `repository:team/app:${'pull,'.repeat(200)}pull`,
    `repository:${'a'.repeat(MAX_SCOPE_LENGTH)}:pull`,
    `${'r'.repeat(MAX_SCOPE_LENGTH + 1)}`,
  ])('refuses a scope longer than the limit, with an abbreviated message (%#)', (text) => {
    const error = thrownBy(() => parseScope(text));
    expect(error).toBeInstanceOf(ScopeSyntaxError);
    expect((error as ScopeSyntaxError).reason).toBe(`longer than ${MAX_SCOPE_LENGTH} characters`);
    expect((error as Error).message.length).toBeLessThan(150);
  });

  test('any list of scope values either parses or is refused with invalid_scope, never anything else', () => {
    const token = fc.oneof(
      fc.constantFrom('repository:team/app:pull', 'registry:catalog:*', 'repository:a:push,pull', ' ', ''),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 30 }).map((parts) => parts.join(' ')), { maxLength: 20 }), (values) => {
        const error = thrownBy(() => parseScopeParameters(values));
        if (error !== undefined) expect(error).toMatchObject({ code: 'invalid_scope' });
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  test('more than the limit of any scopes is refused whatever they hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_SCOPES_PER_REQUEST + 1, max: 3 * MAX_SCOPES_PER_REQUEST }), fc.stringMatching(/^[a-z:/,*]{1,20}$/), (count, scope) => {
        expect(thrownBy(() => parseScopeParameters(Array.from({ length: count }, () => scope)))).toBeInstanceOf(TooManyScopesError);
      }),
      { seed: FC_SEED, numRuns: 50 },
    );
  });
});

describe('username length', () => {
  test.each<[string, boolean]>([
    ['a', true],
    ['a'.repeat(MAX_USERNAME_LENGTH), true],
    ['a'.repeat(MAX_USERNAME_LENGTH + 1), false],
    ['a'.repeat(100_000), false],
    ['', false],
  ])('isPossibleUsername(%#) is %s', (text, possible) => {
    expect(isPossibleUsername(text)).toBe(possible);
  });

  test('an operator cannot choose a username longer than the limit', () => {
    expect(thrownBy(() => parseChosenUsername('a'.repeat(MAX_USERNAME_LENGTH + 1)))).toBeInstanceOf(UsernameError);
  });

  test('no text longer than the limit is a possible username', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MAX_USERNAME_LENGTH + 1, maxLength: 300 }), (text) => {
        expect(isPossibleUsername(text)).toBe(false);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});

describe('secret length', () => {
  const secret = composeSecret(new Uint8Array(SECRET_RANDOM_LENGTH).fill(7));

  test('every secret has the fixed length', () => {
    expect(secret).toHaveLength(SECRET_LENGTH);
    expect(SECRET_LENGTH).toBe('regauth_'.length + 32 + 6);
  });

  test.each<[string, string]>([
    ['the secret followed by anything', `${secret}x`],
    ['the secret twice', `${secret}${secret}`],
    ['a huge string that starts with the secret', `${secret}${'A'.repeat(100_000)}`],
    ['the secret less one character', secret.slice(0, -1)],
    ['the secret with a NUL byte', `${secret}\u0000`],
  ])('refuses %s', (_name, text) => {
    expect(isWellFormedSecret(text)).toBe(false);
  });

  test('no text of another length is a well-formed secret, even one that starts with a real secret', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 200 }), (text, suffix) => {
        if (text.length !== SECRET_LENGTH) expect(isWellFormedSecret(text)).toBe(false);
        expect(isWellFormedSecret(`${secret}${suffix}`)).toBe(false);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});
