import fc from 'fast-check';
import { decideAccess } from '../../../src/core/access-policy.js';
import { parseRepositoryPattern, patternCovers } from '../../../src/core/repository-pattern.js';
import { MAX_NAME_LENGTH } from '../../../src/core/resource-name.js';
import { MAX_SCOPES_PER_REQUEST, parseScopeParameters } from '../../../src/core/scope.js';

const FC_SEED = 20_261_204;

/** Issue 12: a backtracking matcher tried every way to split this run of dashes among the stars. */
const DASHES = 245;
const HOSTILE_PATTERN = 'x/*-*-*-*-*-z';
const hostileName = (i: number) => `x/a${'-'.repeat(DASHES)}b${i}`;

/** The most components a name may have, for patterns whose `**` slides over them. */
const deepName = (i: number) => `${'a/'.repeat(Math.floor((MAX_NAME_LENGTH - 4) / 2))}b${i}`;

// ---------------------------------------------------------------------------------------------------------
// A reference matcher read straight off the definition, one character at a time, memoised so that it is
// polynomial: `*` is any run of characters but `/`, a `**` component is one or more non-empty components.
// ---------------------------------------------------------------------------------------------------------

type Token = { readonly kind: 'char'; readonly char: string } | { readonly kind: 'star' } | { readonly kind: 'deep' };

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  pattern.split('/').forEach((component, index) => {
    if (index > 0) tokens.push({ kind: 'char', char: '/' });
    if (component === '**') tokens.push({ kind: 'deep' });
    else for (const char of component) tokens.push(char === '*' ? { kind: 'star' } : { kind: 'char', char });
  });
  return tokens;
}

function referenceCovers(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return name === pattern || name.startsWith(`${pattern}/`);
  const tokens = tokenize(pattern);
  const memo = new Map<string, boolean>();
  // `inDeep`: inside a `**` that has consumed at least one character of its current component.
  const match = (t: number, n: number, inDeep: boolean): boolean => {
    const key = `${t}:${n}:${inDeep}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const token = tokens[t];
    const char = name[n];
    if (inDeep) {
      result =
        match(t + 1, n, false) ||
        (char !== undefined && char !== '/' && match(t, n + 1, true)) ||
        (char === '/' && name[n + 1] !== undefined && name[n + 1] !== '/' && match(t, n + 2, true));
    } else if (token === undefined) {
      result = n === name.length;
    } else if (token.kind === 'char') {
      result = char === token.char && match(t + 1, n + 1, false);
    } else if (token.kind === 'star') {
      result = match(t + 1, n, false) || (char !== undefined && char !== '/' && match(t, n + 1, false));
    } else {
      result = char !== undefined && char !== '/' && match(t, n + 1, true);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0, false);
}

describe('repository patterns are matched in time linear in the name', () => {
  test.each<[string, (i: number) => string]>([
    [HOSTILE_PATTERN, hostileName],
    ['x/a*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-c', hostileName],
    ['**/*-*-*-*-*-z', hostileName],
    ['x/**/*-*-*-*-*-z/**', hostileName],
    ['**/a/a/a/a/a/a/a/a/a/a/a/a/c/**', deepName],
    ['**/a*/*a/**/a*a/**/*/c', deepName],
  ])(
    `%s against ${MAX_SCOPES_PER_REQUEST} worst-case names is decided in milliseconds, granting nothing`,
    (pattern, name) => {
      expect(parseRepositoryPattern(pattern)).toBe(pattern);
      const names = Array.from({ length: MAX_SCOPES_PER_REQUEST }, (_, i) => name(i));
      expect(names.every((text) => text.length <= MAX_NAME_LENGTH)).toBe(true);
      const scopes = parseScopeParameters(names.map((text) => `repository:${text}:pull`));

      const started = performance.now();
      const decision = decideAccess(scopes, { repositories: [pattern], actions: new Set(['pull']) }, [pattern]);
      const elapsed = performance.now() - started;

      expect(decision.granted).toEqual([]);
      expect(decision.refused).toHaveLength(MAX_SCOPES_PER_REQUEST);
      expect(elapsed).toBeLessThan(200);
    },
  );

  test('the hostile name is still covered by a pattern it does match', () => {
    expect(patternCovers('x/*-*-*-*-*-b*', hostileName(7))).toBe(true);
    expect(patternCovers('x/a*-*-*-*-*-b7', hostileName(7))).toBe(true);
    expect(patternCovers('x/a*-*-*-*-*-b8', hostileName(7))).toBe(false);
    expect(patternCovers('**/a/a/a/a/a/a/a/a/a/a/a/a/b*', deepName(3))).toBe(true);
  });
});

describe('the README examples of repository patterns', () => {
  test.each<[string, string, boolean]>([
    ['team/app', 'team/app', true],
    ['team/app', 'team/app/cache', true],
    ['team/app', 'team/application', false],
    ['team/*', 'team/app', true],
    ['team/*', 'team/app/cache', false],
    ['team/**', 'team/app', true],
    ['team/**', 'team/app/cache', true],
    ['team/**', 'team', false],
    ['team/*-prod', 'team/app-prod', true],
    ['team/*-prod', 'team/app-prod-2', false],
    ['**/cache', 'team/app/cache', true],
    ['**/cache', 'cache', false],
    ['*', 'team/app/cache', true],
    ['*', 'localhost:5000/team/app', true],
  ])('%s covers %s: %s', (pattern, name, covered) => {
    expect(patternCovers(pattern, name)).toBe(covered);
    expect(referenceCovers(pattern, name)).toBe(covered);
  });
});

describe('patternCovers agrees with the character-wise reference', () => {
  // A small alphabet, so that stars, dashes and slashes meet often and matches are frequent.
  const patternComponent = fc.oneof(
    { weight: 1, arbitrary: fc.constant('**') },
    {
      weight: 4,
      arbitrary: fc
        .string({ unit: fc.constantFrom('a', '-', '*'), minLength: 1, maxLength: 6 })
        .filter((component) => isAcceptedPattern(component) && component !== '*'),
    },
    { weight: 1, arbitrary: fc.constant('*') },
  );
  const pattern = fc
    .array(patternComponent, { minLength: 1, maxLength: 5 })
    .map((components) => components.join('/'))
    .filter(isAcceptedPattern);
  const anyName = fc.string({ unit: fc.constantFrom('a', '-', '/'), maxLength: 16 });
  const validName = fc
    .array(fc.constantFrom('a', 'aa', 'a-a', 'a--a', 'a-aa', 'aa-a-a'), { minLength: 1, maxLength: 6 })
    .map((components) => components.join('/'));

  test('on names as the grammar allows them', () => {
    fc.assert(
      fc.property(pattern, validName, (p, name) => {
        expect(patternCovers(p, name)).toBe(referenceCovers(p, name));
      }),
      { seed: FC_SEED, numRuns: 5_000 },
    );
  });

  test('on any string over the same alphabet; a wildcard never covers a name with an empty component', () => {
    fc.assert(
      fc.property(pattern, anyName, (p, name) => {
        const emptyComponent = name.split('/').includes('');
        const covered = referenceCovers(p, name) && !(emptyComponent && p.includes('*') && p !== '*');
        expect(patternCovers(p, name)).toBe(covered);
      }),
      { seed: FC_SEED, numRuns: 5_000 },
    );
  });

  test('on names built to match: every component of the pattern filled in', () => {
    const filled = pattern.chain((p) =>
      fc
        .tuple(
          ...p.split('/').map((component) =>
            component === '**'
              ? fc.array(fc.constantFrom('a', 'a-a'), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'))
              : fc
                  // a star may stand for nothing, as long as the component keeps a character
                  .array(fc.constantFrom(...(component.replaceAll('*', '') === '' ? ['a', 'a-'] : ['', 'a', '-', 'a-'])), {
                    minLength: component.split('*').length - 1,
                    maxLength: component.split('*').length - 1,
                  })
                  .map((fills) => component.split('*').reduce((text, piece, i) => `${text}${fills[i - 1] ?? ''}${piece}`)),
          ),
        )
        .map((parts) => [p, parts.join('/')] as const),
    );
    fc.assert(
      fc.property(filled, ([p, name]) => {
        expect(referenceCovers(p, name)).toBe(true);
        expect(patternCovers(p, name)).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 2_000 },
    );
  });
});

function isAcceptedPattern(text: string): boolean {
  try {
    parseRepositoryPattern(text);
    return true;
  } catch {
    return false;
  }
}
