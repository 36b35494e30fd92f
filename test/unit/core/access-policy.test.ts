import fc from 'fast-check';
import { decideAccess } from '../../../src/core/access-policy.js';
import type { AccessDecision, AccessEntry, AccessRights } from '../../../src/core/access-policy.js';
import { patternCovers } from '../../../src/core/repository-pattern.js';
import { mergeScopes, parseScopeParameters } from '../../../src/core/scope.js';
import type { ResourceScope } from '../../../src/core/scope.js';

const FC_SEED = 20_260_102;

const READ: ReadonlySet<string> = new Set(['pull']);
const WRITE: ReadonlySet<string> = new Set(['pull', 'push']);

function rights(repositories: readonly string[], actions: ReadonlySet<string>): AccessRights {
  return { repositories, actions };
}

function decide(scopeValues: readonly string[], accessRights: AccessRights | null): AccessDecision {
  return decideAccess(parseScopeParameters(scopeValues), accessRights);
}

describe('decideAccess grants requested ∩ allowed and nothing else', () => {
  test.each<[string, string[], AccessRights | null, AccessEntry[], AccessEntry[]]>([
    ['no scope asked, nothing granted or refused', [], rights(['*'], WRITE), [], []],
    [
      'anonymous callers get nothing',
      ['repository:team/app:pull'],
      null,
      [],
      [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    ],
    [
      'read rights grant pull on a covered repository',
      ['repository:team/app:pull'],
      rights(['team/app'], READ),
      [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
      [],
    ],
    [
      'read rights refuse push and keep pull',
      ['repository:team/app:push,pull'],
      rights(['team/app'], READ),
      [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
      [{ type: 'repository', name: 'team/app', actions: ['push'] }],
    ],
    [
      'write rights grant pull and push in the order asked',
      ['repository:team/app:push,pull'],
      rights(['team/app'], WRITE),
      [{ type: 'repository', name: 'team/app', actions: ['push', 'pull'] }],
      [],
    ],
    [
      'a push-only request with write rights is granted push',
      ['repository:team/app:push'],
      rights(['team/app'], WRITE),
      [{ type: 'repository', name: 'team/app', actions: ['push'] }],
      [],
    ],
    [
      'delete is never in a deploy token’s rights',
      ['repository:team/app:pull,push,delete'],
      rights(['team/app'], WRITE),
      [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
      [{ type: 'repository', name: 'team/app', actions: ['delete'] }],
    ],
    [
      'a pattern covers the repositories under it',
      ['repository:team/app/cache/x:pull'],
      rights(['team/app'], READ),
      [{ type: 'repository', name: 'team/app/cache/x', actions: ['pull'] }],
      [],
    ],
    [
      'a pattern does not cover a sibling that shares its prefix',
      ['repository:team/application:pull'],
      rights(['team/app'], WRITE),
      [],
      [{ type: 'repository', name: 'team/application', actions: ['pull'] }],
    ],
    [
      'a pattern does not cover its parent',
      ['repository:team:pull'],
      rights(['team/app'], WRITE),
      [],
      [{ type: 'repository', name: 'team', actions: ['pull'] }],
    ],
    [
      '* covers every repository, including a host:port name',
      ['repository:localhost:5000/foo/bar:pull'],
      rights(['*'], READ),
      [{ type: 'repository', name: 'localhost:5000/foo/bar', actions: ['pull'] }],
      [],
    ],
    [
      'any one of several patterns is enough',
      ['repository:a/x:pull repository:b/y:pull repository:c/z:pull'],
      rights(['a', 'b/y'], READ),
      [
        { type: 'repository', name: 'a/x', actions: ['pull'] },
        { type: 'repository', name: 'b/y', actions: ['pull'] },
      ],
      [{ type: 'repository', name: 'c/z', actions: ['pull'] }],
    ],
    [
      'registry:catalog:* is never granted, even with every right',
      ['registry:catalog:*'],
      rights(['*'], new Set(['pull', 'push', 'delete', '*'])),
      [],
      [{ type: 'registry', name: 'catalog', actions: ['*'] }],
    ],
    [
      'a class such as repository(plugin) is granted as type repository, without its class',
      ['repository(plugin):vieux/sshfs:pull'],
      rights(['vieux'], READ),
      [{ type: 'repository', name: 'vieux/sshfs', actions: ['pull'] }],
      [],
    ],
    [
      'a resource asked with no action is neither granted nor refused',
      ['repository:team/app:'],
      rights(['*'], WRITE),
      [],
      [],
    ],
    [
      'no repositories in the rights means nothing is covered',
      ['repository:team/app:pull'],
      rights([], WRITE),
      [],
      [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    ],
    [
      'a docker push with a cross-repo mount: each resource decided on its own',
      ['repository:team/app:push,pull', 'repository:other/base:pull'],
      rights(['team'], WRITE),
      [{ type: 'repository', name: 'team/app', actions: ['push', 'pull'] }],
      [{ type: 'repository', name: 'other/base', actions: ['pull'] }],
    ],
  ])('%s', (_label, scopeValues, accessRights, granted, refused) => {
    expect(decide(scopeValues, accessRights)).toStrictEqual({ granted, refused });
  });

  test('granted entries carry only type, name and actions (the access claim shape)', () => {
    const { granted } = decide(['repository(plugin):vieux/sshfs:pull'], rights(['*'], READ));
    expect(granted).toHaveLength(1);
    expect(Object.keys(granted[0] ?? {}).sort()).toStrictEqual(['actions', 'name', 'type']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------

const ACTIONS = ['pull', 'push', 'delete', '*'] as const;
const NAMES = ['a', 'a/b', 'a/b/c', 'ab', 'ab/c', 'b', 'team/app', 'team/application', 'localhost:5000/a'] as const;
const PATTERNS = ['*', 'a', 'a/b', 'ab', 'b', 'team', 'team/app', 'localhost'] as const;

const requestedScope: fc.Arbitrary<ResourceScope> = fc
  .record({
    type: fc.constantFrom('repository', 'registry', 'other'),
    resourceClass: fc.option(fc.constantFrom('plugin', 'image')),
    name: fc.constantFrom(...NAMES),
    actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { maxLength: 4 }),
  })
  .map(({ type, resourceClass, name, actions }) =>
    resourceClass === null ? { type, name, actions } : { type, resourceClass, name, actions },
  );

// As the token endpoint receives them: merged on (type, name).
const requested = fc.array(requestedScope, { maxLength: 6 }).map(mergeScopes);

const someRights: fc.Arbitrary<AccessRights | null> = fc.option(
  fc
    .record({
      repositories: fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 3 }),
      actions: fc.subarray([...ACTIONS]),
    })
    .map(({ repositories, actions }) => rights(repositories, new Set(actions))),
  { freq: 5 },
);

const key = (entry: { type: string; name: string }) => `${entry.type} ${entry.name}`;

describe('access policy properties', () => {
  const runs = { seed: FC_SEED, numRuns: 400 };

  test('every granted entry is a repository covered by a pattern, with actions ⊆ requested ∩ rights', () => {
    fc.assert(
      fc.property(requested, someRights, (scopes, accessRights) => {
        const { granted } = decideAccess(scopes, accessRights);
        for (const entry of granted) {
          expect(entry.type).toBe('repository');
          expect(accessRights).not.toBeNull();
          expect(accessRights?.repositories.some((pattern) => patternCovers(pattern, entry.name))).toBe(true);
          const asked = scopes.find((scope) => key(scope) === key(entry));
          expect(asked).toBeDefined();
          for (const action of entry.actions) {
            expect(asked?.actions).toContain(action);
            expect(accessRights?.actions.has(action)).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  test('granted is exactly requested ∩ allowed, and granted ∪ refused is requested, per resource', () => {
    fc.assert(
      fc.property(requested, someRights, (scopes, accessRights) => {
        const { granted, refused } = decideAccess(scopes, accessRights);
        const expectedGranted: AccessEntry[] = [];
        const expectedRefused: AccessEntry[] = [];
        for (const scope of scopes) {
          const covered =
            accessRights !== null &&
            scope.type === 'repository' &&
            accessRights.repositories.some((pattern) => patternCovers(pattern, scope.name));
          const allowed = (action: string) => covered && accessRights.actions.has(action);
          const yes = scope.actions.filter(allowed);
          const no = scope.actions.filter((action) => !allowed(action));
          if (yes.length > 0) expectedGranted.push({ type: scope.type, name: scope.name, actions: yes });
          if (no.length > 0) expectedRefused.push({ type: scope.type, name: scope.name, actions: no });
        }
        expect(granted).toStrictEqual(expectedGranted);
        expect(refused).toStrictEqual(expectedRefused);

        // Put differently: per resource, granted and refused split the requested actions.
        for (const scope of scopes) {
          const g = granted.find((entry) => key(entry) === key(scope))?.actions ?? [];
          const r = refused.find((entry) => key(entry) === key(scope))?.actions ?? [];
          expect([...g, ...r].sort()).toStrictEqual([...scope.actions].sort());
          expect(g.filter((action) => r.includes(action))).toStrictEqual([]);
        }
      }),
      runs,
    );
  });

  test('anonymous callers are granted nothing and refused everything they asked', () => {
    fc.assert(
      fc.property(requested, (scopes) => {
        const { granted, refused } = decideAccess(scopes, null);
        expect(granted).toStrictEqual([]);
        expect(refused).toStrictEqual(
          scopes.filter((scope) => scope.actions.length > 0).map(({ type, name, actions }) => ({ type, name, actions })),
        );
      }),
      runs,
    );
  });

  test('registry:catalog:* is never granted', () => {
    fc.assert(
      fc.property(requested, someRights, (scopes, accessRights) => {
        const withCatalog = mergeScopes([...scopes, { type: 'registry', name: 'catalog', actions: ['*'] }]);
        const { granted } = decideAccess(withCatalog, accessRights);
        expect(granted.some((entry) => entry.type === 'registry')).toBe(false);
      }),
      runs,
    );
  });

  test('granted entries never carry a resource class', () => {
    fc.assert(
      fc.property(requested, someRights, (scopes, accessRights) => {
        for (const entry of decideAccess(scopes, accessRights).granted) {
          expect(Object.keys(entry).sort()).toStrictEqual(['actions', 'name', 'type']);
        }
      }),
      runs,
    );
  });
});
