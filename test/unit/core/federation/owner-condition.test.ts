import { isMultiTenant, missingOwnerCondition } from '../../../../src/core/federation/owner-condition.js';
import type { IssuerKind } from '../../../../src/core/federation/trusted-issuer.js';
import type { ClaimCondition } from '../../../../src/core/federation/trust-policy.js';

describe('isMultiTenant', () => {
  test.each<[IssuerKind, string, boolean, boolean]>([
    ['github', 'https://token.actions.githubusercontent.com', false, true],
    ['github', 'https://token.actions.githubusercontent.com/acme', false, true],
    ['gitlab', 'https://gitlab.com', false, true],
    ['gitlab', 'https://gitlab.example.com', false, false],
    ['gitlab', 'https://gitlab.com.evil.example', false, false],
    ['gitlab', 'https://gitlab.example.com', true, true],
    ['kubernetes', 'https://kubernetes.default.svc', false, false],
    ['generic', 'https://agent.buildkite.com', true, true],
    ['generic', 'https://gitlab.com', false, false],
  ])('%s at %s (multiTenant %j): %j', (kind, issuerUrl, multiTenant, expected) => {
    expect(isMultiTenant({ kind, issuerUrl, multiTenant })).toBe(expected);
  });
});

const GITHUB = { kind: 'github', issuerUrl: 'https://token.actions.githubusercontent.com', multiTenant: false } as const;
const PRIVATE_GITLAB = { kind: 'gitlab', issuerUrl: 'https://gitlab.example.com', multiTenant: false } as const;

describe('missingOwnerCondition', () => {
  test.each<[string, ClaimCondition[], boolean]>([
    ['eq on repository_owner_id', [{ claim: 'repository_owner_id', operator: 'eq', values: ['1234'] }], true],
    ['in on namespace_id', [{ claim: 'namespace_id', operator: 'in', values: ['1', '2'] }], true],
    ['eq on organization_id', [{ claim: 'organization_id', operator: 'eq', values: ['o-1'] }], true],
    [
      'an owner ID beside other conditions',
      [
        { claim: 'repository', operator: 'eq', values: ['acme/app'] },
        { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] },
      ],
      true,
    ],
    ['only a repository name', [{ claim: 'repository', operator: 'eq', values: ['acme/app'] }], false],
    ['only an owner name', [{ claim: 'repository_owner', operator: 'eq', values: ['acme'] }], false],
    ['a glob on the owner ID', [{ claim: 'repository_owner_id', operator: 'glob', values: ['12*'] }], false],
    ['an owner ID condition with no values', [{ claim: 'repository_owner_id', operator: 'in', values: [] }], false],
    ['no conditions', [], false],
  ])('on GitHub, %s is enough: %j', (_label, conditions, enough) => {
    expect(missingOwnerCondition(GITHUB, conditions) === null).toBe(enough);
  });

  test('the refusal says why an ID is needed', () => {
    expect(missingOwnerCondition(GITHUB, [{ claim: 'repository', operator: 'eq', values: ['acme/app'] }])).toBe(
      'this issuer is multi-tenant, so a policy on it needs an eq or in condition on an owner ID ' +
        '(repository_owner_id, namespace_id, organization_id): names can be re-registered by someone else, IDs cannot',
    );
  });

  test('a single-tenant issuer needs no owner ID', () => {
    expect(missingOwnerCondition(PRIVATE_GITLAB, [{ claim: 'project_path', operator: 'eq', values: ['acme/app'] }])).toBeNull();
  });
});
