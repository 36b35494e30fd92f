import { auditedUsername, REDACTED_SECRET } from '../../../src/core/audited-username.js';

describe('auditedUsername', () => {
  test.each<[string, string | null, string | null]>([
    ['none', null, null],
    ['a possible username, as it is', 'ci.bot+gitlab', 'ci.bot+gitlab'],
    ['a deploy-token secret', 'regauth_jZsccjQLwkxHTqzwdi8RxzqQW9qY8Bi82qt4B7', REDACTED_SECRET],
    ['a secret past the 64th character', `${'x'.repeat(70)} regauth_jZsccjQLwkxHTqzwdi8RxzqQW9qY8Bi82qt4B7`, REDACTED_SECRET],
    ['a long name, cut to 64 characters', 'N'.repeat(100), 'N'.repeat(64)],
    ['a name with control characters, escaped', 'ci\u001b[31m\r', 'ci\\x1b[31m\\x0d'],
    ['an emoji at the cut is kept whole', `${'a'.repeat(63)}🐳🐳`, `${'a'.repeat(63)}🐳`],
  ])('%s', (_what, claimed, expected) => {
    expect(auditedUsername(claimed)).toBe(expected);
  });
});
