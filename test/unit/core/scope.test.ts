import fc from 'fast-check';
import {
  formatScope,
  mergeScopes,
  parseScope,
  parseScopeParameters,
  ScopeSyntaxError,
} from '../../../src/core/scope.js';
import type { ResourceScope } from '../../../src/core/scope.js';

const FC_SEED = 20_260_101;

const BAD_SHAPE = 'expected resourcetype:name:action[,action]';
const BAD_TYPE = 'resource type must be lowercase letters and digits, optionally with a (class)';
const BAD_NAME = 'resource name is not a valid repository name';

function scopeError(run: () => unknown): ScopeSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScopeSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a ScopeSyntaxError, nothing was thrown');
}

describe('parseScope accepts the grammar of the distribution spec', () => {
  test.each<[string, ResourceScope]>([
    ['repository:team/app:pull', { type: 'repository', name: 'team/app', actions: ['pull'] }],
    ['repository:team/app:pull,push', { type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
    ['repository:samalba/my-app:push', { type: 'repository', name: 'samalba/my-app', actions: ['push'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    [
      'repository(plugin):vieux/sshfs:pull',
      { type: 'repository', resourceClass: 'plugin', name: 'vieux/sshfs', actions: ['pull'] },
    ],
    ['repository:localhost:5000/foo/bar:pull', { type: 'repository', name: 'localhost:5000/foo/bar', actions: ['pull'] }],
    [
      'repository:registry.example.com:443/team/app:pull,push',
      { type: 'repository', name: 'registry.example.com:443/team/app', actions: ['pull', 'push'] },
    ],
    ['repository:registry.example.com/team/app:pull', { type: 'repository', name: 'registry.example.com/team/app', actions: ['pull'] }],
    ['repository:a.b:pull', { type: 'repository', name: 'a.b', actions: ['pull'] }],
    ['repository:a_b:pull', { type: 'repository', name: 'a_b', actions: ['pull'] }],
    ['repository:a__b:pull', { type: 'repository', name: 'a__b', actions: ['pull'] }],
    ['repository:a-b:pull', { type: 'repository', name: 'a-b', actions: ['pull'] }],
    ['repository:a---b:pull', { type: 'repository', name: 'a---b', actions: ['pull'] }],
    ['repository:0/9a/b-0:delete', { type: 'repository', name: '0/9a/b-0', actions: ['delete'] }],
    ['repository:foo:', { type: 'repository', name: 'foo', actions: [] }],
    ['repository:foo:pull,pull', { type: 'repository', name: 'foo', actions: ['pull'] }],
    ['repository:foo:push,pull,push,pull', { type: 'repository', name: 'foo', actions: ['push', 'pull'] }],
    ['repository:foo:,pull,,push,', { type: 'repository', name: 'foo', actions: ['pull', 'push'] }],
    ['repository:foo:,', { type: 'repository', name: 'foo', actions: [] }],
    ['repository:foo:*,pull', { type: 'repository', name: 'foo', actions: ['*', 'pull'] }],
    ['repo2(class9):foo:pull', { type: 'repo2', resourceClass: 'class9', name: 'foo', actions: ['pull'] }],
  ])('%s', (text, expected) => {
    expect(parseScope(text)).toStrictEqual(expected);
  });

  test('a name of exactly 255 characters is accepted', () => {
    const name = `${'a'.repeat(127)}/${'b'.repeat(127)}`;
    expect(name).toHaveLength(255);
    expect(parseScope(`repository:${name}:pull`)).toStrictEqual({ type: 'repository', name, actions: ['pull'] });
  });

  // Surprising but per the spec grammar: a first component with uppercase letters is a valid hostname
  // (hostcomponent allows A-Z), so `Team/app` parses as host `Team` + path `app`.
  test('an uppercase first component parses as a hostname, as the spec grammar allows', () => {
    expect(parseScope('repository:Team/app:pull')).toStrictEqual({ type: 'repository', name: 'Team/app', actions: ['pull'] });
  });
});

describe('parseScope refuses malformed scopes with a ScopeSyntaxError that names the reason', () => {
  test.each<[string, string, string]>([
    ['no colon at all', 'repository', BAD_SHAPE],
    ['only type and name', 'repository:foo', BAD_SHAPE],
    ['empty string', '', BAD_SHAPE],
    ['a single colon', ':', BAD_SHAPE],
    ['empty type', ':foo:pull', BAD_TYPE],
    ['uppercase type', 'Repository:foo:pull', BAD_TYPE],
    ['type with a dash', 'repo-sitory:foo:pull', BAD_TYPE],
    ['empty class', 'repository():foo:pull', BAD_TYPE],
    ['uppercase class', 'repository(Plugin):foo:pull', BAD_TYPE],
    ['unclosed class', 'repository(plugin:foo:pull', BAD_TYPE],
    ['uppercase in a later path component', 'repository:team/App:pull', BAD_NAME],
    ['uppercase single component', 'repository:App:pull', BAD_NAME],
    ['empty name', 'repository::pull', BAD_NAME],
    ['double slash', 'repository:team//app:pull', BAD_NAME],
    ['leading slash', 'repository:/team/app:pull', BAD_NAME],
    ['trailing slash', 'repository:team/app/:pull', BAD_NAME],
    ['leading dash', 'repository:-app:pull', BAD_NAME],
    ['trailing dash', 'repository:app-:pull', BAD_NAME],
    ['leading dot', 'repository:.app:pull', BAD_NAME],
    ['trailing dot', 'repository:app.:pull', BAD_NAME],
    ['leading underscore', 'repository:_app:pull', BAD_NAME],
    ['trailing underscore', 'repository:app_:pull', BAD_NAME],
    ['three underscores', 'repository:a___b:pull', BAD_NAME],
    ['two dots', 'repository:a..b:pull', BAD_NAME],
    ['dot then dash', 'repository:a.-b:pull', BAD_NAME],
    ['two colons, not host:port', 'repository:foo:bar:pull', BAD_NAME],
    ['host:port without a path', 'repository:localhost:5000:pull', BAD_NAME],
    ['non-numeric port', 'repository:localhost:port/foo:pull', BAD_NAME],
    ['colon in the path part', 'repository:foo/bar:1/baz:pull', BAD_NAME],
    ['two host:port parts', 'repository:a:1/b:2/c:pull', BAD_NAME],
    ['unicode letter in the name', 'repository:café/app:pull', BAD_NAME],
    ['NUL byte in the name', 'repository:foo\u0000bar:pull', BAD_NAME],
    ['space in the name', 'repository:foo bar:pull', BAD_NAME],
    ['name over 255 characters', `repository:${'a'.repeat(128)}/${'b'.repeat(127)}:pull`, BAD_NAME],
    ['uppercase action', 'repository:foo:Pull', 'action "Pull" is not lowercase letters or *'],
    ['action with digits', 'repository:foo:pull2', 'action "pull2" is not lowercase letters or *'],
    ['action with a space', 'repository:foo:pull, push', 'action " push" is not lowercase letters or *'],
    ['two stars', 'registry:catalog:**', 'action "**" is not lowercase letters or *'],
    ['unicode action', 'repository:foo:pülL', 'action "pülL" is not lowercase letters or *'],
    ['NUL byte in an action', 'repository:foo:pull\u0000', 'action "pull\u0000" is not lowercase letters or *'],
  ])('%s', (_label, text, reason) => {
    const error = scopeError(() => parseScope(text));
    expect(error).toBeInstanceOf(ScopeSyntaxError);
    expect(error.code).toBe('invalid_scope');
    expect(error.name).toBe('ScopeSyntaxError');
    expect(error.scope).toBe(text);
    expect(error.reason).toBe(reason);
    expect(error.message).toContain(reason);
  });

  test('the message quotes a long scope abbreviated to 80 characters', () => {
    const text = `repository:${'A'.repeat(200)}:pull`;
    const error = scopeError(() => parseScope(text));
    expect(error.message).toBe(`invalid scope "${text.slice(0, 77)}...": ${BAD_NAME}`);
    expect(error.scope).toBe(text);
  });

  test('the message quotes a short scope in full', () => {
    expect(scopeError(() => parseScope('repository:foo')).message).toBe(`invalid scope "repository:foo": ${BAD_SHAPE}`);
  });
});

describe('formatScope', () => {
  test.each<[ResourceScope, string]>([
    [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }, 'repository:team/app:pull,push'],
    [{ type: 'repository', resourceClass: 'plugin', name: 'vieux/sshfs', actions: ['pull'] }, 'repository(plugin):vieux/sshfs:pull'],
    [{ type: 'registry', name: 'catalog', actions: ['*'] }, 'registry:catalog:*'],
    [{ type: 'repository', name: 'localhost:5000/foo', actions: [] }, 'repository:localhost:5000/foo:'],
  ])('%j → %s', (scope, text) => {
    expect(formatScope(scope)).toBe(text);
  });
});

describe('parseScopeParameters reads the scope parameters every client sends', () => {
  test.each<[string, string[], ResourceScope[]]>([
    ['no parameter', [], []],
    ['an empty value means no scope', [''], []],
    ['several empty values', ['', ''], []],
    ['a value of only spaces', ['   '], []],
    [
      'repeated GET values (docker pull with a cross-repo mount)',
      ['repository:team/app:push,pull', 'repository:team/base:pull'],
      [
        { type: 'repository', name: 'team/app', actions: ['push', 'pull'] },
        { type: 'repository', name: 'team/base', actions: ['pull'] },
      ],
    ],
    [
      'one POST value with space-separated scopes',
      ['repository:team/app:pull,push repository:team/base:pull registry:catalog:*'],
      [
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'repository', name: 'team/base', actions: ['pull'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ],
    ],
    [
      'spaces inside a repeated GET value (ggcr)',
      ['repository:a:pull  repository:b:pull', 'repository:c:push'],
      [
        { type: 'repository', name: 'a', actions: ['pull'] },
        { type: 'repository', name: 'b', actions: ['pull'] },
        { type: 'repository', name: 'c', actions: ['push'] },
      ],
    ],
    ['leading and trailing spaces', ['  repository:a:pull  '], [{ type: 'repository', name: 'a', actions: ['pull'] }]],
    [
      'the same scope twice (skopeo)',
      ['repository:team/app:pull', 'repository:team/app:pull'],
      [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    ],
    [
      'pull then pull,push for one repository (containerd)',
      ['repository:x:pull', 'repository:x:pull,push'],
      [{ type: 'repository', name: 'x', actions: ['pull', 'push'] }],
    ],
    [
      'empty values mixed with real ones',
      ['', 'repository:x:pull', ''],
      [{ type: 'repository', name: 'x', actions: ['pull'] }],
    ],
    [
      'merging keeps the first-seen order of resources and actions',
      ['repository:b:push', 'repository:a:pull', 'repository:b:delete,pull', 'repository:a:push repository:c:pull'],
      [
        { type: 'repository', name: 'b', actions: ['push', 'delete', 'pull'] },
        { type: 'repository', name: 'a', actions: ['pull', 'push'] },
        { type: 'repository', name: 'c', actions: ['pull'] },
      ],
    ],
    [
      'a class merges with the bare type on (type, name) and keeps the first class seen',
      ['repository(plugin):x:pull', 'repository:x:push'],
      [{ type: 'repository', resourceClass: 'plugin', name: 'x', actions: ['pull', 'push'] }],
    ],
    [
      'the same name under different types stays apart',
      ['repository:catalog:pull', 'registry:catalog:*'],
      [
        { type: 'repository', name: 'catalog', actions: ['pull'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ],
    ],
    [
      'a scope with no actions still names its resource',
      ['repository:x:', 'repository:x:pull'],
      [{ type: 'repository', name: 'x', actions: ['pull'] }],
    ],
  ])('%s', (_label, values, expected) => {
    expect(parseScopeParameters(values)).toStrictEqual(expected);
  });

  test('one malformed item makes the whole request a ScopeSyntaxError', () => {
    const error = scopeError(() => parseScopeParameters(['repository:a:pull', 'repository:B:pull repository:c:pull']));
    expect(error.code).toBe('invalid_scope');
    expect(error.scope).toBe('repository:B:pull');
    expect(error.reason).toBe(BAD_NAME);
  });

  test('a tab is not a scope separator', () => {
    const error = scopeError(() => parseScopeParameters(['repository:a:pull\trepository:b:pull']));
    expect(error.reason).toBe(BAD_NAME);
  });
});

describe('mergeScopes', () => {
  test('does not change its input', () => {
    const input: ResourceScope[] = [
      { type: 'repository', name: 'x', actions: ['pull'] },
      { type: 'repository', name: 'x', actions: ['push'] },
    ];
    const copy = structuredClone(input);
    mergeScopes(input);
    expect(input).toStrictEqual(copy);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------

const lowerAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const anyAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const lowerAlnumRun = fc.string({ unit: lowerAlnum, minLength: 1, maxLength: 6 });
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');

const pathComponent = fc
  .tuple(lowerAlnumRun, fc.array(fc.tuple(separator, lowerAlnumRun), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([sep, run]) => sep + run).join(''));

const hostComponent = fc.oneof(
  anyAlnum,
  fc
    .tuple(anyAlnum, fc.string({ unit: fc.oneof(anyAlnum, fc.constant('-')), maxLength: 6 }), anyAlnum)
    .map(([a, middle, b]) => a + middle + b),
);

const hostname = fc
  .tuple(fc.array(hostComponent, { minLength: 1, maxLength: 3 }), fc.option(fc.integer({ min: 0, max: 65_535 })))
  .map(([components, port]) => components.join('.') + (port === null ? '' : `:${port}`));

const resourceName = fc
  .tuple(fc.option(hostname), fc.array(pathComponent, { minLength: 1, maxLength: 4 }))
  .map(([host, path]) => (host === null ? '' : `${host}/`) + path.join('/'))
  .filter((name) => name.length <= 255);

const action = fc.oneof(fc.constant('*'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 8 }));
const resourceWord = fc.string({ unit: lowerAlnum, minLength: 1, maxLength: 10 });

const validScope: fc.Arbitrary<ResourceScope> = fc
  .record({
    type: resourceWord,
    resourceClass: fc.option(resourceWord),
    name: resourceName,
    actions: fc.uniqueArray(action, { maxLength: 5 }),
  })
  .map(({ type, resourceClass, name, actions }) =>
    resourceClass === null ? { type, name, actions } : { type, resourceClass, name, actions },
  );

function parsesOrThrowsScopeSyntaxError(text: string): boolean {
  try {
    parseScope(text);
    return true;
  } catch (error) {
    return error instanceof ScopeSyntaxError && error.code === 'invalid_scope';
  }
}

const SCOPE_ALPHABET = [...'repositoryregistrycatalogpluginpullpushdeleteAZ09:/,()*.-_ \u0000é'];
const scopeAlphabetString = fc.string({ unit: fc.constantFrom(...SCOPE_ALPHABET), maxLength: 60 });
const nearlyValidScope = fc
  .tuple(fc.constantFrom('repository', 'registry', 'repository(plugin)', 'Repository', ''), fc.string({ unit: fc.constantFrom(...SCOPE_ALPHABET), maxLength: 30 }), fc.constantFrom('pull', 'pull,push', '', '*', 'Pull'))
  .map(([type, name, actions]) => `${type}:${name}:${actions}`);

describe('scope properties', () => {
  test('formatScope then parseScope gives back any valid scope', () => {
    fc.assert(
      fc.property(validScope, (scope) => {
        expect(parseScope(formatScope(scope))).toStrictEqual(scope);
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  test('parseScope then formatScope gives back a valid scope text with distinct actions', () => {
    fc.assert(
      fc.property(validScope, (scope) => {
        const text = formatScope(scope);
        expect(formatScope(parseScope(text))).toBe(text);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  test.each<[string, fc.Arbitrary<string>]>([
    ['fc.string()', fc.string()],
    ['full unicode strings', fc.string({ unit: 'binary', maxLength: 80 })],
    ['strings of the scope alphabet', scopeAlphabetString],
    ['nearly valid scopes', nearlyValidScope],
    ['valid scopes with one character changed', fc.tuple(validScope, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })).map(([scope, at, ch]) => {
      const text = formatScope(scope);
      const i = at % text.length;
      return text.slice(0, i) + ch + text.slice(i + 1);
    })],
    ['long strings', fc.string({ unit: fc.constantFrom(...SCOPE_ALPHABET), minLength: 200, maxLength: 400 })],
  ])('parseScope of %s returns or throws a ScopeSyntaxError, nothing else', (_label, strings) => {
    fc.assert(fc.property(strings, (text) => parsesOrThrowsScopeSyntaxError(text)), { seed: FC_SEED, numRuns: 1000 });
  });

  test('parseScopeParameters of any strings returns or throws a ScopeSyntaxError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(scopeAlphabetString, nearlyValidScope, fc.string())), (values) => {
        try {
          parseScopeParameters(values);
          return true;
        } catch (error) {
          return error instanceof ScopeSyntaxError;
        }
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  const overlappingScopeText = fc
    .tuple(
      fc.constantFrom('repository', 'repository(plugin)', 'registry', 'registry(x)'),
      fc.constantFrom('a', 'b', 'team/app', 'localhost:5000/a'),
      fc.array(fc.constantFrom('pull', 'push', 'delete', '*', ''), { maxLength: 5 }),
    )
    .map(([type, name, actions]) => `${type}:${name}:${actions.join(',')}`);
  const parameterValues = fc.array(
    fc.array(overlappingScopeText, { minLength: 0, maxLength: 4 }).chain((items) =>
      fc.array(fc.constantFrom(' ', '  '), { minLength: items.length, maxLength: items.length }).map((spaces) =>
        items.map((item, i) => item + (spaces[i] ?? ' ')).join(''),
      ),
    ),
    { maxLength: 5 },
  );

  test('parseScopeParameters never returns two entries for one (type, name) nor a repeated action', () => {
    fc.assert(
      fc.property(parameterValues, (values) => {
        const scopes = parseScopeParameters(values);
        const keys = scopes.map((scope) => `${scope.type} ${scope.name}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const scope of scopes) expect(new Set(scope.actions).size).toBe(scope.actions.length);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  test('parseScopeParameters keeps exactly the union of the actions asked per (type, name)', () => {
    fc.assert(
      fc.property(parameterValues, (values) => {
        const items = values.flatMap((value) => value.split(' ')).filter((item) => item !== '').map(parseScope);
        const expected = new Map<string, Set<string>>();
        for (const item of items) {
          const key = `${item.type} ${item.name}`;
          const actions = expected.get(key) ?? new Set<string>();
          for (const a of item.actions) actions.add(a);
          expected.set(key, actions);
        }
        const actual = new Map(parseScopeParameters(values).map((scope) => [`${scope.type} ${scope.name}`, new Set(scope.actions)]));
        expect(actual).toStrictEqual(expected);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
