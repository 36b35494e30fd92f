import fc from 'fast-check';
import {
  actionsForScopes,
  CatalogScopeError,
  checkCatalogScope,
  REGISTRY_SCOPES,
  rightsOf,
  type RegistryScope,
} from '../../../src/core/deploy-token.js';

const FC_SEED = 20_261_205;

describe('actionsForScopes with delete_registry and read_catalog', () => {
  test.each<[RegistryScope[], string[]]>([
    [['delete_registry'], ['delete', 'pull']],
    [['read_catalog'], []],
    [['read_catalog', 'read_registry'], ['pull']],
    [['write_registry', 'delete_registry'], ['delete', 'pull', 'push']],
    [['read_registry', 'write_registry', 'delete_registry', 'read_catalog'], ['delete', 'pull', 'push']],
    [['delete_registry', 'delete_registry'], ['delete', 'pull']],
  ])('%j → %j', (scopes, actions) => {
    expect([...actionsForScopes(scopes)].sort()).toStrictEqual(actions);
  });

  test('property: pull whenever a repository scope is present; push only from write; delete only from delete', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REGISTRY_SCOPES), { maxLength: 6 }), (scopes) => {
        const actions = actionsForScopes(scopes);
        expect(actions.has('pull')).toBe(scopes.some((scope) => scope !== 'read_catalog'));
        expect(actions.has('push')).toBe(scopes.includes('write_registry'));
        expect(actions.has('delete')).toBe(scopes.includes('delete_registry'));
        expect([...actions].every((action) => ['pull', 'push', 'delete'].includes(action))).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('rightsOf', () => {
  test('carries the repositories, the actions and the catalog right', () => {
    const rights = rightsOf({ repositories: ['*'], scopes: ['read_registry', 'read_catalog'] });
    expect(rights.repositories).toStrictEqual(['*']);
    expect([...rights.actions]).toStrictEqual(['pull']);
    expect(rights.catalog).toBe(true);
  });

  test.each<RegistryScope[]>([['read_registry'], ['write_registry'], ['delete_registry'], ['read_registry', 'write_registry', 'delete_registry']])(
    'no catalog right without read_catalog: %j',
    (...scopes) => {
      expect(rightsOf({ repositories: ['*'], scopes }).catalog).toBe(false);
    },
  );

  test('the repositories are the token’s own, in order', () => {
    expect(rightsOf({ repositories: ['team/**', 'other/app'], scopes: ['delete_registry'] }).repositories).toStrictEqual([
      'team/**',
      'other/app',
    ]);
  });
});

describe('checkCatalogScope', () => {
  test.each<[string, RegistryScope[], string[]]>([
    ['read_catalog with *', ['read_catalog'], ['*']],
    ['read_catalog with * among other patterns', ['read_registry', 'read_catalog'], ['team/app', '*']],
    ['no read_catalog, any repository', ['read_registry', 'write_registry', 'delete_registry'], ['team/app']],
    ['no read_catalog, no repository', ['read_registry'], []],
  ])('accepts %s', (_label, scopes, repositories) => {
    expect(() => checkCatalogScope(scopes, repositories)).not.toThrow();
  });

  test.each<[string, RegistryScope[], string[]]>([
    ['read_catalog with one repository', ['read_catalog'], ['team/app']],
    ['read_catalog with **, which is not *', ['read_catalog', 'read_registry'], ['**']],
    ['read_catalog with a glob', ['read_catalog'], ['team/**', '*/app']],
    ['read_catalog with no repository', ['read_catalog'], []],
  ])('refuses %s with a CatalogScopeError', (_label, scopes, repositories) => {
    let caught: unknown;
    try {
      checkCatalogScope(scopes, repositories);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CatalogScopeError);
    expect((caught as CatalogScopeError).code).toBe('invalid_token_scope');
    expect((caught as CatalogScopeError).name).toBe('CatalogScopeError');
    expect((caught as CatalogScopeError).message).toContain('read_catalog');
  });
});
