import fc from 'fast-check';
import { decideAccess } from '../../../src/core/access-policy.js';
import type { AccessEntry, AccessRights } from '../../../src/core/access-policy.js';
import { REGISTRY_SCOPES, rightsOf, type RegistryScope } from '../../../src/core/deploy-token.js';
import { patternCovers } from '../../../src/core/repository-pattern.js';
import { mergeScopes, parseScopeParameters, type ResourceScope } from '../../../src/core/scope.js';

const FC_SEED = 20_261_204;

const token = (repositories: string[], scopes: RegistryScope[]): AccessRights => rightsOf({ repositories, scopes });
const entry = (type: string, name: string, ...actions: string[]): AccessEntry => ({ type, name, actions });
const repo = (name: string, ...actions: string[]) => entry('repository', name, ...actions);

describe('decideAccess with public repositories, scopes and the catalog', () => {
  const PUBLIC = ['public/**', 'library/*'];

  test.each<[string, string[], AccessRights | null, readonly string[], AccessEntry[], AccessEntry[]]>([
    [
      'anonymous callers get pull on a public repository and nothing else',
      ['repository:public/tools:pull,push,delete'],
      null,
      PUBLIC,
      [repo('public/tools', 'pull')],
      [repo('public/tools', 'push', 'delete')],
    ],
    [
      'anonymous callers get nothing on a repository that is not public',
      ['repository:team/app:pull'],
      null,
      PUBLIC,
      [],
      [repo('team/app', 'pull')],
    ],
    [
      'a public pattern with ** does not make its base public',
      ['repository:public:pull'],
      null,
      PUBLIC,
      [],
      [repo('public', 'pull')],
    ],
    [
      'library/* is one component deep',
      ['repository:library/busybox:pull', 'repository:library/busybox/x:pull'],
      null,
      PUBLIC,
      [repo('library/busybox', 'pull')],
      [repo('library/busybox/x', 'pull')],
    ],
    [
      'anonymous callers never get push, even asked alone on a public repository',
      ['repository:public/tools:push'],
      null,
      PUBLIC,
      [],
      [repo('public/tools', 'push')],
    ],
    [
      'without public repositories anonymous callers get nothing',
      ['repository:public/tools:pull'],
      null,
      [],
      [],
      [repo('public/tools', 'pull')],
    ],
    [
      'anonymous callers never get the catalog',
      ['registry:catalog:*'],
      null,
      ['*'],
      [],
      [entry('registry', 'catalog', '*')],
    ],
    [
      'an authenticated token gets public pull on top of its own rights',
      ['repository:team/app:pull,push', 'repository:library/busybox:pull'],
      token(['team/app'], ['write_registry']),
      PUBLIC,
      [repo('team/app', 'pull', 'push'), repo('library/busybox', 'pull')],
      [],
    ],
    [
      'public pull gives an authenticated token no push or delete on a public repository',
      ['repository:public/tools:pull,push,delete'],
      token(['team/app'], ['write_registry', 'delete_registry']),
      PUBLIC,
      [repo('public/tools', 'pull')],
      [repo('public/tools', 'push', 'delete')],
    ],
    [
      'a token with write on a public repository keeps its push, and pull stays in the order asked',
      ['repository:public/tools:push,pull'],
      token(['public/**'], ['write_registry']),
      PUBLIC,
      [repo('public/tools', 'push', 'pull')],
      [],
    ],
    [
      'a catalog token gets registry:catalog:*',
      ['registry:catalog:*'],
      token(['*'], ['read_catalog']),
      [],
      [entry('registry', 'catalog', '*')],
      [],
    ],
    [
      'a catalog token gets only the * action of the catalog',
      ['registry:catalog:*,pull'],
      token(['*'], ['read_catalog']),
      [],
      [entry('registry', 'catalog', '*')],
      [entry('registry', 'catalog', 'pull')],
    ],
    [
      'the catalog right covers only the resource named catalog',
      ['registry:other:*'],
      token(['*'], ['read_catalog', 'read_registry']),
      [],
      [],
      [entry('registry', 'other', '*')],
    ],
    [
      'a catalog right gives no repository action',
      ['repository:team/app:pull'],
      token(['*'], ['read_catalog']),
      [],
      [],
      [repo('team/app', 'pull')],
    ],
    [
      'every repository right without read_catalog gets no catalog',
      ['registry:catalog:*'],
      token(['*'], ['read_registry', 'write_registry', 'delete_registry']),
      ['*'],
      [],
      [entry('registry', 'catalog', '*')],
    ],
    [
      'delete comes only from delete_registry',
      ['repository:team/app:delete'],
      token(['*'], ['read_registry', 'write_registry', 'read_catalog']),
      ['*'],
      [],
      [repo('team/app', 'delete')],
    ],
    [
      'delete_registry grants delete and pull, not push',
      ['repository:team/app:delete,pull,push'],
      token(['team/**'], ['delete_registry']),
      [],
      [repo('team/app', 'delete', 'pull')],
      [repo('team/app', 'push')],
    ],
    [
      'a glob right covers only what it matches',
      ['repository:team/app-prod:push', 'repository:team/app-dev:push'],
      token(['team/*-prod'], ['write_registry']),
      [],
      [repo('team/app-prod', 'push')],
      [repo('team/app-dev', 'push')],
    ],
    [
      'a resource type other than repository and registry gets nothing, public or not',
      ['plugin:public/tools:pull'],
      token(['*'], ['read_registry']),
      ['*'],
      [],
      [entry('plugin', 'public/tools', 'pull')],
    ],
    [
      'a class is dropped from a public grant',
      ['repository(plugin):public/tools:pull'],
      null,
      PUBLIC,
      [repo('public/tools', 'pull')],
      [],
    ],
  ])('%s', (_label, scopeValues, rights, publicRepositories, granted, refused) => {
    expect(decideAccess(parseScopeParameters(scopeValues), rights, publicRepositories)).toStrictEqual({ granted, refused });
  });

  test('public repositories default to none', () => {
    expect(decideAccess(parseScopeParameters(['repository:public/x:pull']), null).granted).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------

const ACTIONS = ['pull', 'push', 'delete', '*', 'other'] as const;
const NAMES = ['a', 'a/b', 'a/b/c', 'ab', 'ab/c', 'b', 'b/cache', 'team/app', 'team/app-prod', 'catalog', 'localhost:5000/a'] as const;
const PATTERNS = ['*', 'a', 'a/b', 'a/*', 'a/**', '**/c', 'b', 'team/*-prod', 'team/**', '**', 'b/*'] as const;

const requestedScope: fc.Arbitrary<ResourceScope> = fc
  .record({
    type: fc.constantFrom('repository', 'repository', 'registry', 'plugin'),
    resourceClass: fc.option(fc.constantFrom('plugin', 'image'), { freq: 4 }),
    name: fc.constantFrom(...NAMES),
    actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { maxLength: 5 }),
  })
  .map(({ type, resourceClass, name, actions }) =>
    resourceClass === null ? { type, name, actions } : { type, resourceClass, name, actions },
  );
const requested = fc.array(requestedScope, { maxLength: 6 }).map(mergeScopes);
const patterns = fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 3 });
const rights: fc.Arbitrary<AccessRights | null> = fc.option(
  fc
    .record({ repositories: patterns, scopes: fc.subarray([...REGISTRY_SCOPES]) })
    .map(({ repositories, scopes }) => rightsOf({ repositories, scopes })),
  { freq: 4 },
);

const key = (item: { type: string; name: string }) => `${item.type}\u0000${item.name}`;

/** What the rights and the public repositories allow on one resource, written out plainly. */
function allowedByReference(scope: ResourceScope, accessRights: AccessRights | null, publicRepositories: readonly string[]): Set<string> {
  const allowed = new Set<string>();
  if (scope.type === 'registry') {
    if (scope.name === 'catalog' && accessRights?.catalog === true) allowed.add('*');
    return allowed;
  }
  if (scope.type !== 'repository') return allowed;
  if (accessRights !== null && accessRights.repositories.some((pattern) => patternCovers(pattern, scope.name))) {
    for (const action of accessRights.actions) allowed.add(action);
  }
  if (publicRepositories.some((pattern) => patternCovers(pattern, scope.name))) allowed.add('pull');
  return allowed;
}

describe('access policy properties with public repositories and the catalog', () => {
  const runs = { seed: FC_SEED, numRuns: 1_000 };

  test('granted is exactly requested ∩ (rights ∪ public pull), refused is the rest', () => {
    fc.assert(
      fc.property(requested, rights, patterns, (scopes, accessRights, publicRepositories) => {
        const decision = decideAccess(scopes, accessRights, publicRepositories);
        const granted: AccessEntry[] = [];
        const refused: AccessEntry[] = [];
        for (const scope of scopes) {
          const allowed = allowedByReference(scope, accessRights, publicRepositories);
          const yes = scope.actions.filter((action) => allowed.has(action));
          const no = scope.actions.filter((action) => !allowed.has(action));
          if (yes.length > 0) granted.push({ type: scope.type, name: scope.name, actions: yes });
          if (no.length > 0) refused.push({ type: scope.type, name: scope.name, actions: no });
        }
        expect(decision).toStrictEqual({ granted, refused });
      }),
      runs,
    );
  });

  test('granted ⊆ requested, and every granted action comes from the rights or is a public pull', () => {
    fc.assert(
      fc.property(requested, rights, patterns, (scopes, accessRights, publicRepositories) => {
        for (const granted of decideAccess(scopes, accessRights, publicRepositories).granted) {
          const asked = scopes.find((scope) => key(scope) === key(granted));
          expect(asked).toBeDefined();
          for (const action of granted.actions) {
            expect(asked?.actions).toContain(action);
            if (granted.type === 'registry') {
              expect([granted.name, action, accessRights?.catalog]).toEqual(['catalog', '*', true]);
              continue;
            }
            expect(granted.type).toBe('repository');
            const own =
              accessRights !== null &&
              accessRights.actions.has(action) &&
              accessRights.repositories.some((pattern) => patternCovers(pattern, granted.name));
            const publicPull = action === 'pull' && publicRepositories.some((pattern) => patternCovers(pattern, granted.name));
            expect(own || publicPull).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  test('nothing but pull on a public repository is ever granted anonymously', () => {
    fc.assert(
      fc.property(requested, patterns, (scopes, publicRepositories) => {
        for (const granted of decideAccess(scopes, null, publicRepositories).granted) {
          expect(granted.type).toBe('repository');
          expect(granted.actions).toStrictEqual(['pull']);
          expect(publicRepositories.some((pattern) => patternCovers(pattern, granted.name))).toBe(true);
        }
      }),
      runs,
    );
  });

  test('push and delete are only granted from the token’s own scopes', () => {
    fc.assert(
      fc.property(requested, rights, patterns, (scopes, accessRights, publicRepositories) => {
        const withoutPublic = decideAccess(scopes, accessRights, []).granted;
        for (const granted of decideAccess(scopes, accessRights, publicRepositories).granted) {
          const mine = withoutPublic.find((item) => key(item) === key(granted))?.actions ?? [];
          for (const action of granted.actions.filter((a) => a !== 'pull')) expect(mine).toContain(action);
        }
      }),
      runs,
    );
  });

  test('the catalog is granted only with catalog rights, only for registry:catalog and only its * action', () => {
    fc.assert(
      fc.property(requested, rights, patterns, (scopes, accessRights, publicRepositories) => {
        const withCatalog = mergeScopes([...scopes, { type: 'registry', name: 'catalog', actions: ['*', 'pull'] }]);
        const registryGrants = decideAccess(withCatalog, accessRights, publicRepositories).granted.filter(
          (granted) => granted.type === 'registry',
        );
        expect(registryGrants).toStrictEqual(accessRights?.catalog === true ? [entry('registry', 'catalog', '*')] : []);
      }),
      runs,
    );
  });

  test('adding public repositories never takes a grant away', () => {
    fc.assert(
      fc.property(requested, rights, patterns, (scopes, accessRights, publicRepositories) => {
        const before = decideAccess(scopes, accessRights, []).granted;
        const after = decideAccess(scopes, accessRights, publicRepositories).granted;
        for (const granted of before) {
          expect(after.find((item) => key(item) === key(granted))?.actions).toEqual(expect.arrayContaining([...granted.actions]));
        }
      }),
      runs,
    );
  });
});
