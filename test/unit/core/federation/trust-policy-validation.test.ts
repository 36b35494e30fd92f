import { FederationConfigError } from '../../../../src/core/federation/federation-error.js';
import { impliedMultiTenant } from '../../../../src/core/federation/trust-policy-rules.js';
import {
  type ConditionInput,
  MAX_CONDITIONS,
  type NewTrustPolicyInput,
  validateNewTrustPolicy,
} from '../../../../src/core/federation/trust-policy-validation.js';

const PRIVATE_GITLAB = { name: 'gitlab', kind: 'gitlab', issuerUrl: 'https://gitlab.example.com', multiTenant: false } as const;
const GITHUB = { name: 'github', kind: 'github', issuerUrl: 'https://token.actions.githubusercontent.com', multiTenant: false } as const;

const OWNER: ConditionInput = { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] };
const VALID: NewTrustPolicyInput = { conditions: [OWNER], repositories: ['acme/app'], scopes: ['read_registry'] };

describe('validateNewTrustPolicy', () => {
  test('a valid policy comes back with the default lifetime of 900 s', () => {
    expect(validateNewTrustPolicy(GITHUB, VALID)).toEqual({
      conditions: [{ claim: 'repository_owner_id', operator: 'eq', values: ['1234'] }],
      repositories: ['acme/app'],
      scopes: ['read_registry'],
      credentialLifetimeSeconds: 900,
    });
  });

  test('duplicates are dropped, globs and patterns kept', () => {
    const result = validateNewTrustPolicy(PRIVATE_GITLAB, {
      conditions: [{ claim: 'ref', operator: 'in', values: ['main', 'main', 'dev'] }, { claim: 'project_path', operator: 'glob', values: ['acme/*'] }],
      repositories: ['team/**', 'team/**', '*'],
      scopes: ['write_registry', 'read_catalog', 'write_registry'],
      credentialLifetimeSeconds: 3600,
    });
    expect(result.conditions[0]?.values).toEqual(['main', 'dev']);
    expect(result.repositories).toEqual(['team/**', '*']);
    expect(result.scopes).toEqual(['write_registry', 'read_catalog']);
    expect(result.credentialLifetimeSeconds).toBe(3600);
  });

  test.each<[number, boolean]>([
    [60, true],
    [900, true],
    [3600, true],
    [59, false],
    [3601, false],
    [0, false],
    [-900, false],
    [900.5, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
  ])('a credential lifetime of %j s is accepted: %j', (seconds, accepted) => {
    const validate = () => validateNewTrustPolicy(GITHUB, { ...VALID, credentialLifetimeSeconds: seconds });
    if (accepted) expect(validate().credentialLifetimeSeconds).toBe(seconds);
    else expect(validate).toThrow('a credential lifetime is from 60 to 3600 seconds (900 by default)');
  });

  test.each<[string, Partial<NewTrustPolicyInput>, string]>([
    ['no conditions', { conditions: [] }, 'at least one condition'],
    ['too many conditions', { conditions: Array<ConditionInput>(MAX_CONDITIONS + 1).fill(OWNER) }, 'at most 32 conditions'],
    ['an unknown operator', { conditions: [{ claim: 'ref', operator: 'regex', values: ['.*'] }] }, 'unknown condition operator "regex"'],
    ['an operator in capitals', { conditions: [{ claim: 'ref', operator: 'EQ', values: ['main'] }] }, 'unknown condition operator'],
    ['eq with two values', { conditions: [{ claim: 'ref', operator: 'eq', values: ['a', 'b'] }] }, 'takes one value; use "in"'],
    ['eq with none', { conditions: [{ claim: 'ref', operator: 'eq', values: [] }] }, 'needs 1 to 64 values'],
    ['in with none', { conditions: [{ claim: 'ref', operator: 'in', values: [] }] }, 'needs 1 to 64 values'],
    ['too many values', { conditions: [{ claim: 'ref', operator: 'in', values: Array.from({ length: 65 }, (_, i) => `v${i}`) }] }, 'needs 1 to 64 values'],
    ['an empty value', { conditions: [{ claim: 'ref', operator: 'eq', values: [''] }] }, 'each value is text of 1 to 512'],
    ['a huge value', { conditions: [{ claim: 'ref', operator: 'eq', values: ['x'.repeat(513)] }] }, 'each value is text of 1 to 512'],
    ['a value that is no string', { conditions: [{ claim: 'ref', operator: 'eq', values: [7 as unknown as string] }] }, 'each value is text'],
    ['a glob of stars', { conditions: [{ claim: 'ref', operator: 'glob', values: ['**'] }] }, 'a glob of stars alone matches anything'],
    ['an empty claim', { conditions: [{ claim: '', operator: 'eq', values: ['x'] }] }, 'invalid claim ""'],
    ['an empty path key', { conditions: [{ claim: 'kubernetes.io//name', operator: 'eq', values: ['x'] }] }, 'invalid claim'],
    ['a deep path', { conditions: [{ claim: 'a/b/c/d/e/f/g/h/i', operator: 'eq', values: ['x'] }] }, 'invalid claim'],
    ['a long path', { conditions: [{ claim: 'c'.repeat(257), operator: 'eq', values: ['x'] }] }, 'invalid claim'],
    ['no repositories', { repositories: [] }, 'at least one repository'],
    ['a bad repository', { repositories: ['Team/App'] }, 'invalid repository "Team/App"'],
    ['a regex for a repository', { repositories: ['team/.*'] }, 'invalid repository'],
    ['too many repositories', { repositories: Array.from({ length: 101 }, (_, i) => `team/app${i}`) }, 'at most 100 repository patterns'],
    ['no scopes', { scopes: [] }, 'at least one scope'],
    ['an unknown scope', { scopes: ['admin'] }, 'unknown scope "admin"'],
    ['read_catalog without *', { scopes: ['read_catalog'] }, 'read_catalog lists every repository'],
  ])('refuses %s', (_label, change, message) => {
    const input = { ...VALID, ...change };
    expect(() => validateNewTrustPolicy(PRIVATE_GITLAB, input)).toThrow(message);
  });

  test('every refusal is a FederationConfigError or the grammar error of the deploy-token field', () => {
    expect(() => validateNewTrustPolicy(GITHUB, { ...VALID, conditions: [] })).toThrow(FederationConfigError);
  });

  test('on a multi-tenant issuer a policy without an owner ID is refused, naming the issuer and why', () => {
    const input = { ...VALID, conditions: [{ claim: 'repository', operator: 'eq', values: ['acme/app'] }] };
    expect(() => validateNewTrustPolicy(GITHUB, input)).toThrow(FederationConfigError);
    expect(() => validateNewTrustPolicy(GITHUB, input)).toThrow(
      'issuer "github": this issuer is multi-tenant, so a policy on it needs an eq or in condition on an owner ID',
    );
    expect(() => validateNewTrustPolicy(GITHUB, input)).toThrow('names can be re-registered by someone else, IDs cannot');
    expect(validateNewTrustPolicy(PRIVATE_GITLAB, input).conditions).toHaveLength(1);
  });

  test('impliedMultiTenant keeps the admin use cases\' name', () => {
    expect(impliedMultiTenant('github', 'https://token.actions.githubusercontent.com')).toBe(true);
    expect(impliedMultiTenant('gitlab', 'https://gitlab.com')).toBe(true);
    expect(impliedMultiTenant('gitlab', 'https://gitlab.example.com')).toBe(false);
  });
});
