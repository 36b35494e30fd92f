import fc from 'fast-check';
import {
  claimText,
  evaluateTrustPolicy,
  MAX_REPORTED_CLAIM_LENGTH,
} from '../../../../src/core/federation/claim-conditions.js';
import { claimGlobMatches } from '../../../../src/core/federation/claim-glob.js';
import type { ClaimCondition } from '../../../../src/core/federation/trust-policy.js';
import { NOW, trustPolicy } from './trust-policy-fixture.js';

const FC_SEED = 20_261_203;

const GITHUB_CLAIMS = {
  repository: 'acme/app',
  repository_owner_id: '1234',
  ref: 'refs/heads/main',
  ref_protected: true,
  run_id: 42,
  job_workflow_ref: 'acme/app/.github/workflows/release.yml@refs/heads/main',
  'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'builder', uid: 'u-1' } },
};

describe('claimText', () => {
  test.each<[string, unknown, string | null]>([
    ['a string as it is', 'acme/app', 'acme/app'],
    ['an empty string', '', ''],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['a safe integer in decimal', 1234, '1234'],
    ['a negative integer', -7, '-7'],
    ['zero', 0, '0'],
    ['a fraction', 1.5, null],
    ['an unsafe integer', 2 ** 60, null],
    ['NaN', Number.NaN, null],
    ['Infinity', Number.POSITIVE_INFINITY, null],
    ['null', null, null],
    ['an array', ['acme/app'], null],
    ['an object', { toString: () => 'acme/app' }, null],
    ['a bigint', 10n, null],
  ])('%s', (_label, value, expected) => {
    expect(claimText({ claim: value }, 'claim')).toBe(expected);
  });

  test.each<[string, string | null]>([
    ['kubernetes.io/namespace', 'ci'],
    ['kubernetes.io/serviceaccount/name', 'builder'],
    ['kubernetes.io/serviceaccount', null],
    ['kubernetes.io/serviceaccount/name/more', null],
    ['kubernetes.io/missing', null],
    ['missing', null],
    ['', null],
    ['repository/length', null],
    ['__proto__', null],
    ['constructor', null],
    ['kubernetes.io/__proto__/toString', null],
    ['toString', null],
  ])('reads the path %j as %j', (path, expected) => {
    expect(claimText(GITHUB_CLAIMS, path)).toBe(expected);
  });

  test('a __proto__ key the token really carries is read as its own property, never through the prototype', () => {
    const claims = JSON.parse('{"__proto__": {"owner": "9"}, "plain": {"__proto__": "x"}}') as Record<string, unknown>;
    expect(claimText(claims, '__proto__/owner')).toBe('9');
    expect(claimText(claims, 'plain/__proto__')).toBe('x');
    expect(claimText({}, '__proto__/owner')).toBeNull();
  });

  test('an array on the path is no object to walk into', () => {
    expect(claimText({ list: ['a', 'b'] }, 'list/0')).toBeNull();
  });
});

describe('claimGlobMatches', () => {
  test.each<[string, string, boolean]>([
    ['acme/*', 'acme/app', true],
    ['acme/*', 'acme/', true],
    ['acme/*', 'acme/app/cache', false],
    ['acme/*', 'other/app', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['*', 'a/b', false],
    ['*', 'a:b', false],
    ['system:serviceaccount:ci:*', 'system:serviceaccount:ci:builder', true],
    ['system:serviceaccount:ci:*', 'system:serviceaccount:ci:builder:x', false],
    ['system:serviceaccount:*:builder', 'system:serviceaccount:prod:builder', true],
    ['system:serviceaccount:*:builder', 'system:serviceaccount:a/b:builder', false],
    ['refs/heads/release-*', 'refs/heads/release-1.2', true],
    ['refs/heads/release-*', 'refs/heads/release-1/evil', false],
    ['refs/heads/release-*', 'refs/tags/release-1', false],
    ['acme/app/.github/workflows/release.yml@*', 'acme/app/.github/workflows/release.yml@refs/heads/main', false],
    ['acme/app/.github/workflows/release.yml@*/*/*', 'acme/app/.github/workflows/release.yml@refs/heads/main', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['**', 'x', true],
    ['exact', 'exact', true],
    ['exact', 'Exact', false],
    ['e*', 'école', false],
    ['é*', 'été', true],
  ])('%j against %j is %j', (pattern, value, expected) => {
    expect(claimGlobMatches(pattern, value)).toBe(expected);
  });

  test('agrees with a character-by-character reference matcher', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', ':', '*');
    const pattern = fc.array(alphabet, { maxLength: 10 }).map((characters) => characters.join(''));
    const value = fc
      .array(fc.constantFrom('a', 'b', '/', ':', '*'), { maxLength: 12 })
      .map((characters) => characters.join(''));
    fc.assert(
      fc.property(pattern, value, (p, v) => claimGlobMatches(p, v) === referenceMatches(p, v)),
      { seed: FC_SEED, numRuns: 5000 },
    );
  });

  test('many stars over a long run of one letter give the reference answer', () => {
    const pattern = `${'*-'.repeat(40)}*z`;
    for (const value of [`${'-'.repeat(2_000)}z`, `${'-'.repeat(2_000)}y`, `${'-'.repeat(39)}z`, `${'-'.repeat(40)}z`]) {
      expect(claimGlobMatches(pattern, value)).toBe(referenceMatches(pattern, value));
    }
  });

  test('a long hostile value is matched once through, and does not match', () => {
    const value = 'a'.repeat(200_000);
    expect(claimGlobMatches(`${'*a'.repeat(100)}b`, value)).toBe(false);
  });
});

/** `*` is any run of characters other than `/` and `:`, by dynamic programming over both strings. */
function referenceMatches(pattern: string, value: string): boolean {
  let row = new Array<boolean>(value.length + 1).fill(false);
  row[0] = true;
  for (const p of pattern) {
    const next = new Array<boolean>(value.length + 1).fill(false);
    for (let j = 0; j <= value.length; j += 1) {
      const v = value[j - 1];
      if (p === '*') next[j] = row[j] === true || (j > 0 && v !== '/' && v !== ':' && next[j - 1] === true);
      else next[j] = j > 0 && row[j - 1] === true && v === p;
    }
    row = next;
  }
  return row[value.length] === true;
}

const eq = (claim: string, value: string): ClaimCondition => ({ claim, operator: 'eq', values: [value] });

describe('evaluateTrustPolicy', () => {
  test.each<[string, ClaimCondition[], boolean]>([
    ['one eq that holds', [eq('repository', 'acme/app')], true],
    ['one eq that does not', [eq('repository', 'acme/other')], false],
    ['all conditions hold', [eq('repository', 'acme/app'), eq('repository_owner_id', '1234')], true],
    ['one of several fails', [eq('repository', 'acme/app'), eq('repository_owner_id', '999')], false],
    ['eq on a boolean claim', [eq('ref_protected', 'true')], true],
    ['eq on an integer claim', [eq('run_id', '42')], true],
    ['eq with two values is malformed and never holds', [{ claim: 'repository', operator: 'eq', values: ['acme/app', 'x'] }], false],
    ['eq with no values', [{ claim: 'repository', operator: 'eq', values: [] }], false],
    ['in with a member', [{ claim: 'ref', operator: 'in', values: ['refs/heads/dev', 'refs/heads/main'] }], true],
    ['in without', [{ claim: 'ref', operator: 'in', values: ['refs/heads/dev'] }], false],
    ['in with no values', [{ claim: 'ref', operator: 'in', values: [] }], false],
    ['glob with any pattern', [{ claim: 'ref', operator: 'glob', values: ['refs/tags/*', 'refs/heads/*'] }], true],
    ['glob none', [{ claim: 'ref', operator: 'glob', values: ['refs/tags/*'] }], false],
    ['a nested claim', [eq('kubernetes.io/namespace', 'ci')], true],
    ['an absent claim', [eq('environment', 'production')], false],
    ['an unknown operator', [{ claim: 'repository', operator: 'regex' as 'eq', values: ['acme/app'] }], false],
  ])('%s', (_label, conditions, matched) => {
    expect(evaluateTrustPolicy(trustPolicy(conditions), GITHUB_CLAIMS, NOW).matched).toBe(matched);
  });

  test('reports the first condition that failed, with what it got', () => {
    const policy = trustPolicy([eq('repository', 'acme/app'), eq('repository_owner_id', '999'), eq('ref', 'x')]);
    expect(evaluateTrustPolicy(policy, GITHUB_CLAIMS, NOW)).toEqual({
      matched: false,
      failed: { claim: 'repository_owner_id', operator: 'eq', expected: ['999'], got: '1234' },
    });
  });

  test('an absent or unreadable claim is reported as null', () => {
    const policy = trustPolicy([eq('repository', 'acme/app')]);
    expect(evaluateTrustPolicy(policy, { repository: { name: 'acme/app' } }, NOW)).toEqual({
      matched: false,
      failed: { claim: 'repository', operator: 'eq', expected: ['acme/app'], got: null },
    });
  });

  test('a huge claim value is reported bounded', () => {
    const result = evaluateTrustPolicy(trustPolicy([eq('repository', 'acme/app')]), { repository: 'x'.repeat(1_000_000) }, NOW);
    expect(result.matched).toBe(false);
    if (result.matched) return;
    expect(result.failed.got).toBe('x'.repeat(MAX_REPORTED_CLAIM_LENGTH));
  });

  test('bounding never leaves half a surrogate pair', () => {
    const value = `${'x'.repeat(MAX_REPORTED_CLAIM_LENGTH - 1)}😀tail`;
    const result = evaluateTrustPolicy(trustPolicy([eq('repository', 'acme/app')]), { repository: value }, NOW);
    if (result.matched) throw new Error('matched');
    expect(result.failed.got).toBe('x'.repeat(MAX_REPORTED_CLAIM_LENGTH - 1));
  });

  test.each<[string, Partial<Parameters<typeof trustPolicy>[1]>, string]>([
    ['disabled', { enabled: false }, 'disabled'],
    ['expired now', { expiresAt: NOW }, 'expired'],
    ['expired before', { expiresAt: new Date(NOW.getTime() - 1) }, 'expired'],
  ])('a %s policy never matches, even when its conditions hold', (_label, overrides, reason) => {
    const result = evaluateTrustPolicy(trustPolicy([eq('repository', 'acme/app')], overrides), GITHUB_CLAIMS, NOW);
    expect(result).toEqual({
      matched: false,
      inactive: reason,
      failed: { claim: 'policy', operator: 'eq', expected: ['active'], got: reason },
    });
  });

  test('a policy that expires later still matches', () => {
    const policy = trustPolicy([eq('repository', 'acme/app')], { expiresAt: new Date(NOW.getTime() + 1) });
    expect(evaluateTrustPolicy(policy, GITHUB_CLAIMS, NOW)).toEqual({ matched: true });
  });

  test('a policy without conditions matches nothing (deny by default)', () => {
    expect(evaluateTrustPolicy(trustPolicy([]), GITHUB_CLAIMS, NOW)).toMatchObject({ matched: false, inactive: 'unconditional' });
  });

  test('hostile claims never throw and never match a condition they do not satisfy', () => {
    const hostile = fc.oneof(
      fc.anything(),
      fc.string({ unit: 'grapheme', maxLength: 50 }),
      fc.constant('x'.repeat(100_000)),
      fc.constant(Object.create(null) as unknown),
      fc.constant(JSON.parse('{"__proto__": {"repository": "acme/app"}}') as unknown),
      fc.constant(['acme/app']),
      fc.constant({ toString: () => 'acme/app', valueOf: () => 'acme/app' }),
    );
    const policy = trustPolicy([
      eq('repository', 'acme/app'),
      { claim: 'kubernetes.io/namespace', operator: 'glob', values: ['c*'] },
    ]);
    fc.assert(
      fc.property(hostile, hostile, (repository, kubernetes) => {
        const claims = { repository, 'kubernetes.io': kubernetes };
        const result = evaluateTrustPolicy(policy, claims, NOW);
        const shouldMatch =
          repository === 'acme/app' &&
          typeof kubernetes === 'object' &&
          kubernetes !== null &&
          !Array.isArray(kubernetes) &&
          Object.hasOwn(kubernetes, 'namespace') &&
          typeof (kubernetes as { namespace: unknown }).namespace === 'string' &&
          /^c[^/:]*$/.test((kubernetes as { namespace: string }).namespace);
        if (result.matched !== shouldMatch) return false;
        return result.matched || result.failed.got === null || result.failed.got.length <= MAX_REPORTED_CLAIM_LENGTH;
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  test('a top-level __proto__ claim is not read through the prototype of the claims', () => {
    const claims = JSON.parse('{"__proto__": {"repository": "acme/app"}}') as Record<string, unknown>;
    expect(evaluateTrustPolicy(trustPolicy([eq('repository', 'acme/app')]), claims, NOW).matched).toBe(false);
  });
});
