import { GENERATED_USERNAME_PREFIX, parseChosenUsername, UsernameError } from '../../../src/core/username.js';

const BAD_CHARACTERS = 'use 1 to 64 characters of a-z 0-9 . _ + -';
const RESERVED = 'deploy-token-<number> is reserved for generated names';

function usernameError(text: string): UsernameError {
  let caught: unknown;
  try {
    parseChosenUsername(text);
  } catch (error) {
    caught = error;
  }
  if (caught instanceof UsernameError) return caught;
  throw new Error(`expected a UsernameError for ${JSON.stringify(text)}, got ${String(caught)}`);
}

describe('parseChosenUsername', () => {
  test.each([
    'ci',
    'ci-bot',
    'gitlab.ci_bot+prod-1',
    '0',
    '-',
    '.',
    'a'.repeat(64),
    'deploy-token',
    'deploy-token-',
    'deploy-token-x',
    'deploy-token-12a',
    'deploy-token--12',
    'my-deploy-token-12',
  ])('accepts %j and returns it unchanged', (text) => {
    expect(parseChosenUsername(text)).toBe(text);
  });

  test.each<[string, string, string]>([
    ['uppercase', 'CI-bot', BAD_CHARACTERS],
    ['a dollar (Harbor robot names)', 'robot$x', BAD_CHARACTERS],
    ['a dollar at the end', 'ci$', BAD_CHARACTERS],
    ['a space', 'ci bot', BAD_CHARACTERS],
    ['empty', '', BAD_CHARACTERS],
    ['65 characters', 'a'.repeat(65), BAD_CHARACTERS],
    ['a colon (breaks Basic auth)', 'ci:bot', BAD_CHARACTERS],
    ['a slash', 'ci/bot', BAD_CHARACTERS],
    ['an at sign', 'ci@example.com', BAD_CHARACTERS],
    ['a unicode letter', 'café', BAD_CHARACTERS],
    ['a trailing newline', 'ci\n', BAD_CHARACTERS],
    ['a NUL byte', 'ci\u0000', BAD_CHARACTERS],
    ['a generated name', 'deploy-token-12', RESERVED],
    ['a generated name with id 0', 'deploy-token-0', RESERVED],
    ['a generated name with a long id', 'deploy-token-99999999999999999999', RESERVED],
  ])('refuses %s: %j', (_label, text, reason) => {
    const error = usernameError(text);
    expect(error).toBeInstanceOf(UsernameError);
    expect(error.code).toBe('invalid_username');
    expect(error.name).toBe('UsernameError');
    expect(error.username).toBe(text);
    expect(error.message).toBe(`invalid username "${text}": ${reason}`);
  });

  test('generated usernames start with deploy-token-', () => {
    expect(GENERATED_USERNAME_PREFIX).toBe('deploy-token-');
    expect(usernameError(`${GENERATED_USERNAME_PREFIX}7`).message).toContain('reserved');
  });
});
