import fc from 'fast-check';
import { parseRepositoryPattern, patternCovers, RepositoryPatternError } from '../../../src/core/repository-pattern.js';

const FC_SEED = 20_261_203;

// ---------------------------------------------------------------------------------------------------------
// A reference matcher written independently of the implementation: component by component, with `*`
// matched character by character (no regular expressions), and `**` as one or more whole components.
// ---------------------------------------------------------------------------------------------------------

/** Whether one glob component (`*` = any run of characters, never `/`) matches one path component. */
function componentMatches(glob: string, text: string): boolean {
  // matches[i][j]: glob[0..i) matches text[0..j)
  const matches: boolean[][] = Array.from({ length: glob.length + 1 }, () => new Array<boolean>(text.length + 1).fill(false));
  (matches[0] as boolean[])[0] = true;
  for (let i = 1; i <= glob.length; i += 1) {
    const row = matches[i] as boolean[];
    const previous = matches[i - 1] as boolean[];
    const g = glob[i - 1];
    for (let j = 0; j <= text.length; j += 1) {
      if (g === '*') row[j] = previous[j] === true || (j > 0 && row[j - 1] === true);
      else row[j] = j > 0 && previous[j - 1] === true && text[j - 1] === g;
    }
  }
  return (matches[glob.length] as boolean[])[text.length] === true;
}

function referenceCovers(pattern: string, repository: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return repository === pattern || repository.startsWith(`${pattern}/`);
  const globs = pattern.split('/');
  const parts = repository.split('/');
  const match = (g: number, p: number): boolean => {
    if (g === globs.length) return p === parts.length;
    if (globs[g] === '**') {
      for (let taken = 1; p + taken <= parts.length; taken += 1) if (match(g + 1, p + taken)) return true;
      return false;
    }
    return p < parts.length && componentMatches(globs[g] as string, parts[p] as string) && match(g + 1, p + 1);
  };
  return match(0, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------------------

describe('patternCovers with wildcards', () => {
  test.each<[string, string, boolean]>([
    // a plain path covers itself and below, never a sibling sharing its prefix
    ['team/app', 'team/app', true],
    ['team/app', 'team/app/cache', true],
    ['team/app', 'team/app/a/b/c', true],
    ['team/app', 'team/application', false],
    ['team/app', 'team', false],
    // `team/*`: exactly one component below team
    ['team/*', 'team/app', true],
    ['team/*', 'team/a', true],
    ['team/*', 'team/app-prod', true],
    ['team/*', 'team/app/cache', false],
    ['team/*', 'team', false],
    ['team/*', 'teams/app', false],
    ['team/*', 'other/team/app', false],
    // `team/**`: one or more components below team, not team itself
    ['team/**', 'team/app', true],
    ['team/**', 'team/app/cache', true],
    ['team/**', 'team/a/b/c/d/e', true],
    ['team/**', 'team', false],
    ['team/**', 'teams/app', false],
    ['team/**', 'x/team/app', false],
    // `*` alone: everything, including a host:port name
    ['*', 'a', true],
    ['*', 'team/app/cache', true],
    ['*', 'localhost:5000/team/app', true],
    // `team/*-prod`: a suffix inside one component
    ['team/*-prod', 'team/app-prod', true],
    ['team/*-prod', 'team/app-prod/cache', false],
    ['team/*-prod', 'team/app-production', false],
    ['team/*-prod', 'team/app-staging', false],
    ['team/*-prod', 'team/x/app-prod', false],
    // `**/cache`: any depth ≥ 1 before the last component
    ['**/cache', 'team/cache', true],
    ['**/cache', 'team/app/cache', true],
    ['**/cache', 'a/b/c/d/cache', true],
    ['**/cache', 'cache', false],
    ['**/cache', 'team/cache/x', false],
    ['**/cache', 'team/caches', false],
    ['**/cache', 'team/mycache', false],
    // `**` alone and in the middle
    ['**', 'a', true],
    ['**', 'a/b/c', true],
    ['team/**/cache', 'team/app/cache', true],
    ['team/**/cache', 'team/a/b/cache', true],
    ['team/**/cache', 'team/cache', false],
    // a star inside the first or any component
    ['team*', 'team', true],
    ['team*', 'teamx', true],
    ['team*', 'team/app', false],
    ['*/app', 'team/app', true],
    ['*/app', 'team/x/app', false],
    ['*/app', 'app', false],
    ['t*m/a*p', 'team/app', true],
    ['t*m/a*p', 'tm/ap', true],
    ['t*m/a*p', 'team/apps', false],
    // regular-expression characters in a pattern are literal
    ['a.b/*', 'a.b/x', true],
    ['a.b/*', 'axb/x', false],
    ['a+b/*', 'a+b/x', true],
    ['a+b/*', 'aab/x', false],
    // a wildcard pattern covers whole names only: never a host:port prefix's extra component
    ['team/*', 'localhost:5000/team/app', false],
    ['*/team/app', 'localhost:5000/team/app', true],
  ])('%s covers %s: %s', (pattern, repository, covered) => {
    expect(patternCovers(pattern, repository)).toBe(covered);
    expect(referenceCovers(pattern, repository)).toBe(covered);
  });
});

describe('parseRepositoryPattern and globs', () => {
  test.each(['team/*', 'team/**', '*', '**', '**/cache', 'team/*-prod', 'a*b*c/d', '*/*/*', 'team/**/cache/**', 'a.b/*_x'])(
    'accepts %s unchanged',
    (pattern) => {
      expect(parseRepositoryPattern(pattern)).toBe(pattern);
    },
  );

  test.each([
    'team/a**',
    'team/**x',
    'team/***',
    'team/*/',
    '/*',
    '*//a',
    'TEAM/*',
    'team/*.',
    'team/.*',
    'team/*:5000',
    'team/?',
    'team/[a]*',
    'team/* ',
    `${'a'.repeat(254)}/*`,
  ])('refuses %j', (pattern) => {
    expect(() => parseRepositoryPattern(pattern)).toThrow(RepositoryPatternError);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties against the reference
// ---------------------------------------------------------------------------------------------------------

const literal = fc.constantFrom('a', 'b', 'ab', 'ba', 'a-b', 'a.b');
const globComponent = fc.constantFrom('*', 'a*', '*b', 'a*b', '*-b', '*a*', '**');
const patternComponent = fc.oneof({ weight: 2, arbitrary: literal }, { weight: 1, arbitrary: globComponent });
const pattern = fc.array(patternComponent, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
const repository = fc
  .array(fc.constantFrom('a', 'b', 'ab', 'ba', 'aab', 'a-b', 'a.b', 'axb'), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join('/'));

describe('glob properties', () => {
  const runs = { seed: FC_SEED, numRuns: 3_000 };

  test('every generated pattern is accepted by parseRepositoryPattern', () => {
    fc.assert(
      fc.property(pattern, (text) => {
        expect(parseRepositoryPattern(text)).toBe(text);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  test('patternCovers agrees with a component-wise reference matcher', () => {
    fc.assert(
      fc.property(pattern, repository, (p, r) => {
        expect(patternCovers(p, r)).toBe(referenceCovers(p, r));
      }),
      runs,
    );
  });

  test('a pattern made from a repository by replacing components with wildcards still covers it', () => {
    fc.assert(
      fc.property(
        repository,
        fc.array(fc.constantFrom('keep', 'star', 'prefix-star'), { minLength: 6, maxLength: 6 }),
        (r, choices) => {
          const p = r
            .split('/')
            .map((part, i) => {
              const choice = choices[i];
              if (choice === 'star') return '*';
              if (choice === 'prefix-star') return `${part.slice(0, 1)}*`;
              return part;
            })
            .join('/');
          expect(patternCovers(p, r)).toBe(true);
        },
      ),
      runs,
    );
  });

  test('without **, a wildcard never matches across /: a covered name has as many components as the pattern', () => {
    fc.assert(
      fc.property(pattern, repository, (p, r) => {
        fc.pre(p.includes('*') && !p.split('/').includes('**') && p !== '*');
        if (patternCovers(p, r)) expect(r.split('/')).toHaveLength(p.split('/').length);
        // and adding a component below a covered name is never covered
        if (patternCovers(p, r)) expect(patternCovers(p, `${r}/a`)).toBe(false);
      }),
      runs,
    );
  });

  test('with **, a covered name has at least as many components as the pattern, and never fewer', () => {
    fc.assert(
      fc.property(pattern, repository, (p, r) => {
        fc.pre(p.split('/').includes('**'));
        if (patternCovers(p, r)) expect(r.split('/').length).toBeGreaterThanOrEqual(p.split('/').length);
      }),
      runs,
    );
  });

  test('`x/**` covers exactly the names strictly below x', () => {
    fc.assert(
      fc.property(literal, repository, (base, r) => {
        expect(patternCovers(`${base}/**`, r)).toBe(r.startsWith(`${base}/`));
        expect(patternCovers(`${base}/**`, base)).toBe(false);
      }),
      runs,
    );
  });

  test('`x/*` covers exactly the names one component below x', () => {
    fc.assert(
      fc.property(literal, repository, (base, r) => {
        const rest = r.startsWith(`${base}/`) ? r.slice(base.length + 1) : null;
        expect(patternCovers(`${base}/*`, r)).toBe(rest !== null && !rest.includes('/'));
      }),
      runs,
    );
  });
});
