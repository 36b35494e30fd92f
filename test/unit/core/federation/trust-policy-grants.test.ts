import fc from 'fast-check';
import { type AccessEntry, decideAccess } from '../../../../src/core/access-policy.js';
import { actionsForScopes, REGISTRY_SCOPES, type RegistryScope, rightsOf } from '../../../../src/core/deploy-token.js';
import { evaluateTrustPolicy } from '../../../../src/core/federation/claim-conditions.js';
import { grantedAccess } from '../../../../src/core/federation/granted-access.js';
import type { TrustPolicy } from '../../../../src/core/federation/trust-policy.js';
import { patternCovers } from '../../../../src/core/repository-pattern.js';
import type { ResourceScope } from '../../../../src/core/scope.js';
import { NOW, trustPolicy } from './trust-policy-fixture.js';

const FC_SEED = 20_261_203;

const PATTERNS = ['*', 'team/app', 'team/*', 'team/**', 'team/*-prod', 'other/**/cache'];
const NAMES = ['team/app', 'team/app/cache', 'team/app-prod', 'team/x', 'team', 'other/a/cache', 'other/cache', 'catalog', 'evil/app'];
const ACTIONS = ['pull', 'push', 'delete', '*'];

const someOf = <T>(items: readonly T[]) => fc.subarray([...items], { minLength: 1 });

const requestedScope: fc.Arbitrary<ResourceScope> = fc.record({
  type: fc.constantFrom('repository', 'repository', 'registry', 'plugin'),
  name: fc.constantFrom(...NAMES),
  actions: someOf(ACTIONS),
});

const claimValue = fc.oneof(fc.constantFrom('1', 1, '2', 'refs/heads/main', 'refs/heads/a/b', true), fc.anything());

const policy: fc.Arbitrary<TrustPolicy> = fc
  .record({ repositories: someOf(PATTERNS), scopes: someOf(REGISTRY_SCOPES) })
  .map(({ repositories, scopes }) =>
    trustPolicy(
      [
        { claim: 'repository_owner_id', operator: 'eq', values: ['1'] },
        { claim: 'ref', operator: 'glob', values: ['refs/heads/*'] },
      ],
      { repositories, scopes },
    ),
  );

const narrowing = fc.record(
  { repositories: fc.subarray(NAMES), scopes: fc.subarray([...REGISTRY_SCOPES]) },
  { requiredKeys: [] },
);

/** The policy's own grants, read directly: what it lets a credential do at the registry. */
function policyAllows(granting: TrustPolicy, entry: AccessEntry): boolean {
  if (entry.type === 'registry') {
    return entry.name === 'catalog' && granting.scopes.includes('read_catalog') && entry.actions.every((a) => a === '*');
  }
  if (entry.type !== 'repository') return false;
  const actions = actionsForScopes(granting.scopes);
  return (
    granting.repositories.some((pattern) => patternCovers(pattern, entry.name)) && entry.actions.every((a) => actions.has(a))
  );
}

function wasRequested(requested: readonly ResourceScope[], entry: AccessEntry): boolean {
  return requested.some(
    (scope) => scope.type === entry.type && scope.name === entry.name && entry.actions.every((a) => scope.actions.includes(a)),
  );
}

describe('what a matched trust policy grants', () => {
  test('is never more than the policy grants and the client requested, even after narrowing', () => {
    fc.assert(
      fc.property(
        policy,
        claimValue,
        claimValue,
        fc.array(requestedScope, { maxLength: 6 }),
        narrowing,
        (granting, ownerId, ref, requested, narrowed) => {
          const match = evaluateTrustPolicy(granting, { repository_owner_id: ownerId, ref }, NOW);
          const ownerHolds = ownerId === '1' || ownerId === 1;
          const refHolds = ref === 'refs/heads/main';
          if (match.matched !== (ownerHolds && refHolds)) return false;
          if (!match.matched) return true;

          const direct = decideAccess(requested, rightsOf(granting)).granted;
          const access = grantedAccess(granting, narrowed);
          const viaNarrowing =
            access === null ? [] : decideAccess(requested, rightsOf({ repositories: access.repositories, scopes: access.scopes })).granted;
          return [...direct, ...viaNarrowing].every((entry) => policyAllows(granting, entry) && wasRequested(requested, entry));
        },
      ),
      { seed: FC_SEED, numRuns: 3000 },
    );
  });

  test('narrowing keeps only requested scopes and repositories', () => {
    fc.assert(
      fc.property(policy, narrowing, (granting, narrowed) => {
        const access = grantedAccess(granting, narrowed);
        if (access === null) return true;
        const scopesOk = access.scopes.every(
          (scope: RegistryScope) => granting.scopes.includes(scope) && (narrowed.scopes ?? granting.scopes).includes(scope),
        );
        const repositoriesOk =
          narrowed.repositories === undefined
            ? access.repositories.every((r) => granting.repositories.includes(r))
            : access.repositories.every((r) => narrowed.repositories?.includes(r));
        return scopesOk && repositoriesOk;
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  test.each<[string[], string, string[] | null]>([
    [['team/*'], 'team/app', null],
    [['team/**'], 'team/app', ['team/app']],
    [['team'], 'team/app', ['team/app']],
    [['*'], 'team/app', ['team/app']],
    [['team/*-prod'], 'team/app-prod', null],
    [['team/app'], 'team/application', null],
    [['team/app'], 'Team/App', null],
  ])('under %j, a request for %j is granted %j', (repositories, requestedRepository, granted) => {
    const access = grantedAccess(trustPolicy([], { repositories, scopes: ['read_registry'] }), { repositories: [requestedRepository] });
    expect(access?.repositories ?? null).toEqual(granted);
  });

  test('read_catalog is dropped unless the grant keeps *', () => {
    const granting = trustPolicy([], { repositories: ['*'], scopes: ['read_registry', 'read_catalog'] });
    expect(grantedAccess(granting)).toEqual({ repositories: ['*'], scopes: ['read_registry', 'read_catalog'] });
    expect(grantedAccess(granting, { repositories: ['team/app'] })).toEqual({ repositories: ['team/app'], scopes: ['read_registry'] });
    expect(grantedAccess(granting, { scopes: ['write_registry'] })).toBeNull();
  });
});
