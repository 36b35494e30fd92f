import {
  actionsForScopes,
  deployTokenStatus,
  parseRegistryScope,
  REGISTRY_SCOPES,
  RegistryScopeError,
} from '../../../src/core/deploy-token.js';
import type { DeployTokenStatus, RegistryScope } from '../../../src/core/deploy-token.js';

describe('actionsForScopes', () => {
  test.each<[string, RegistryScope[], string[]]>([
    ['no scope allows nothing', [], []],
    ['read_registry allows pull', ['read_registry'], ['pull']],
    ['write_registry allows pull and push (a push needs pull too)', ['write_registry'], ['pull', 'push']],
    ['both allow pull and push', ['read_registry', 'write_registry'], ['pull', 'push']],
    ['both, the other way round', ['write_registry', 'read_registry'], ['pull', 'push']],
    ['a repeated scope changes nothing', ['read_registry', 'read_registry'], ['pull']],
  ])('%s', (_label, scopes, actions) => {
    expect([...actionsForScopes(scopes)].sort()).toStrictEqual(actions);
  });

  test('only delete_registry allows delete', () => {
    expect(actionsForScopes(['read_registry', 'write_registry', 'read_catalog']).has('delete')).toBe(false);
    expect([...actionsForScopes(['delete_registry'])].sort()).toEqual(['delete', 'pull']);
  });

  test('read_catalog adds no repository action', () => {
    expect([...actionsForScopes(['read_catalog'])]).toEqual([]);
  });
});

describe('parseRegistryScope', () => {
  test('the known scopes are read, write, delete and catalog', () => {
    expect(REGISTRY_SCOPES).toStrictEqual(['read_registry', 'write_registry', 'delete_registry', 'read_catalog']);
  });

  test.each(['read_registry', 'write_registry', 'delete_registry', 'read_catalog'])('accepts %s', (text) => {
    expect(parseRegistryScope(text)).toBe(text);
  });

  test.each(['', 'read', 'write', 'pull', 'READ_REGISTRY', 'read_registry ', ' write_registry', 'read_registry,write_registry', 'delete', 'catalog'])(
    'refuses %j with a RegistryScopeError',
    (text) => {
      let caught: unknown;
      try {
        parseRegistryScope(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RegistryScopeError);
      const error = caught as RegistryScopeError;
      expect(error.code).toBe('invalid_token_scope');
      expect(error.name).toBe('RegistryScopeError');
      expect(error.scope).toBe(text);
      expect(error.message).toBe(`unknown scope "${text}": use read_registry, write_registry, delete_registry, read_catalog`);
    },
  );
});

describe('deployTokenStatus', () => {
  const NOW = new Date('2026-06-15T10:20:30.000Z');
  const at = (iso: string) => new Date(iso);

  test.each<[string, Date | null, Date | null, DeployTokenStatus]>([
    ['no expiry, not revoked', null, null, 'active'],
    ['expiring a millisecond from now', at('2026-06-15T10:20:30.001Z'), null, 'active'],
    ['expiring next year', at('2027-06-15T00:00:00Z'), null, 'active'],
    ['expiring exactly now counts as expired', at('2026-06-15T10:20:30.000Z'), null, 'expired'],
    ['expired a millisecond ago', at('2026-06-15T10:20:29.999Z'), null, 'expired'],
    ['revoked, no expiry', null, at('2026-06-01T00:00:00Z'), 'revoked'],
    ['revoked and expired: revoked wins', at('2026-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'), 'revoked'],
    ['revoked after it expired: revoked wins', at('2026-01-01T00:00:00Z'), at('2026-03-01T00:00:00Z'), 'revoked'],
    ['revoked, expiring later', at('2027-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'), 'revoked'],
    // The revocation time is not compared with now: any revokedAt means revoked.
    ['revocation stamped in the future still counts', null, at('2030-01-01T00:00:00Z'), 'revoked'],
  ])('%s → %s', (_label, expiresAt, revokedAt, status) => {
    expect(deployTokenStatus({ expiresAt, revokedAt }, NOW)).toBe(status);
  });
});
