import fc from 'fast-check';
import {
  ALL_REPOSITORIES,
  parseRepositoryPattern,
  patternCovers,
  RepositoryPatternError,
} from '../../../src/core/repository-pattern.js';

const FC_SEED = 20_260_103;

describe('patternCovers', () => {
  test.each<[string, string, boolean]>([
    ['team/app', 'team/app', true],
    ['team/app', 'team/app/x', true],
    ['team/app', 'team/app/x/y', true],
    ['team/app', 'team/application', false],
    ['team/app', 'team/app-x', false],
    ['team/app', 'team/app.x', false],
    ['team/app', 'team/app_x', false],
    ['team/app', 'team', false],
    ['team/app', 'other/team/app', false],
    ['team/app', 'team/ap', false],
    ['team', 'team/app', true],
    ['team', 'teams/app', false],
    ['*', 'team/app', true],
    ['*', 'a', true],
    ['*', 'localhost:5000/foo/bar', true],
    ['localhost', 'localhost:5000/foo', false],
  ])('%s covers %s: %s', (pattern, repository, covered) => {
    expect(patternCovers(pattern, repository)).toBe(covered);
  });

  test('ALL_REPOSITORIES is *', () => {
    expect(ALL_REPOSITORIES).toBe('*');
  });
});

describe('parseRepositoryPattern accepts a repository path, a wildcard pattern or *', () => {
  test.each([
    '*',
    'team',
    'team/app',
    'team/app/x/y',
    'a.b/c_d/e__f/g-h/i---j',
    '0/9',
    // A dotted first component is a legal path component, so this is a repository path, not a host.
    'registry.example.com/team',
    'localhost/team',
    'a'.repeat(255),
    'team/*',
    'team*',
    '**',
    'team/**',
    '**/cache',
    'team/*-prod',
    'team/**/cache',
  ])('%s', (text) => {
    expect(parseRepositoryPattern(text)).toBe(text);
  });
});

describe('parseRepositoryPattern refuses anything else with a RepositoryPatternError', () => {
  test.each<[string, string]>([
    ['stars inside a component beside other text', 'team/a**'],
    ['three stars', 'team/***'],
    ['a wildcard with an uppercase letter', 'Team/*'],
    ['a wildcard and a trailing slash', 'team/*/'],
    ['a wildcard component with a leading separator', 'team/-*'],
    ['a trailing slash', 'team/'],
    ['a leading slash', '/team'],
    ['a double slash', 'team//app'],
    ['empty', ''],
    ['uppercase', 'Team/app'],
    ['uppercase later', 'team/App'],
    ['a host:port prefix', 'localhost:5000/team'],
    ['a registry host with port', 'registry.example.com:443/team/app'],
    ['a scope instead of a path', 'repository:team/app:pull'],
    ['a leading separator', '-team'],
    ['a trailing separator', 'team.'],
    ['three underscores', 'a___b'],
    ['a space', 'team app'],
    ['surrounding spaces', ' team '],
    ['unicode', 'équipe/app'],
    ['a NUL byte', 'team\u0000'],
    ['256 characters', 'a'.repeat(256)],
  ])('%s: %j', (_label, text) => {
    let caught: unknown;
    try {
      parseRepositoryPattern(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RepositoryPatternError);
    const error = caught as RepositoryPatternError;
    expect(error.code).toBe('invalid_repository');
    expect(error.name).toBe('RepositoryPatternError');
    expect(error.pattern).toBe(text);
    expect(error.message).toBe(
      `invalid repository "${text}": use a repository path such as team/app (it also covers team/app/...), ` +
        'a pattern such as team/** or team/*-prod, or * for every repository',
    );
  });
});

describe('repository pattern properties', () => {
  const component = fc.string({ unit: fc.constantFrom(...'abc0'), minLength: 1, maxLength: 3 });
  const path = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

  test('a pattern covers a repository exactly when it is *, equal, or a whole-component prefix', () => {
    fc.assert(
      fc.property(path, path, (pattern, repository) => {
        const patternParts = pattern.split('/');
        const repositoryParts = repository.split('/');
        const prefix = patternParts.every((part, i) => repositoryParts[i] === part);
        expect(patternCovers(pattern, repository)).toBe(prefix);
        expect(patternCovers('*', repository)).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  test('a pattern always covers itself and anything below it', () => {
    fc.assert(
      fc.property(path, path, (pattern, rest) => {
        expect(patternCovers(pattern, pattern)).toBe(true);
        expect(patternCovers(pattern, `${pattern}/${rest}`)).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
