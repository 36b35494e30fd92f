import { counterIncrementsFor, type CounterIncrement } from '../../../src/adapters/metrics/audit-event-metrics.js';
import type { AuditEvent } from '../../../src/app/ports.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

function event(type: AuditEvent['event'], details: Record<string, unknown>): AuditEvent {
  return { occurredAt: T0, event: type, actor: null, deployTokenId: null, username: 'ci', clientIp: '10.0.0.1', details };
}

const pull = (name: string) => ({ type: 'repository', name, actions: ['pull'] });
const issued = (details: Record<string, unknown>) => event('token.issued', { grant: 'password', ...details });
const counted = (type: AuditEvent['event']): CounterIncrement => ({ counter: 'audit_events', labels: { event: type }, by: 1 });

describe('counterIncrementsFor', () => {
  test.each<[string, AuditEvent, CounterIncrement[]]>([
    [
      'a pull granted in full',
      issued({ granted: [pull('team/app')], refused: [] }),
      [
        counted('token.issued'),
        { counter: 'tokens_issued', labels: { outcome: 'granted', grant: 'password' }, by: 1 },
        { counter: 'access_granted', labels: { type: 'repository', action: 'pull' }, by: 1 },
      ],
    ],
    [
      'push and pull asked, only pull granted (partial)',
      issued({
        granted: [pull('team/app')],
        refused: [{ type: 'repository', name: 'team/app', actions: ['push'] }],
      }),
      [
        counted('token.issued'),
        { counter: 'tokens_issued', labels: { outcome: 'partial', grant: 'password' }, by: 1 },
        { counter: 'access_granted', labels: { type: 'repository', action: 'pull' }, by: 1 },
        { counter: 'access_refused', labels: { type: 'repository', action: 'push' }, by: 1 },
      ],
    ],
    [
      'nothing of what was asked (denied)',
      issued({ grant: 'anonymous', granted: [], refused: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }] }),
      [
        counted('token.issued'),
        { counter: 'tokens_issued', labels: { outcome: 'denied', grant: 'anonymous' }, by: 1 },
        { counter: 'access_refused', labels: { type: 'repository', action: 'pull' }, by: 1 },
        { counter: 'access_refused', labels: { type: 'repository', action: 'push' }, by: 1 },
      ],
    ],
    [
      'nothing asked: docker login (no_scope)',
      issued({ grant: 'refresh_token', granted: [], refused: [] }),
      [counted('token.issued'), { counter: 'tokens_issued', labels: { outcome: 'no_scope', grant: 'refresh_token' }, by: 1 }],
    ],
    [
      'one increment per action, by the number of repositories, never labelled by repository',
      issued({
        granted: [
          { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
          { type: 'repository', name: 'team/base', actions: ['pull'] },
          { type: 'registry', name: 'catalog', actions: ['*'] },
          { type: 'repository', name: 'team/old', actions: ['delete'] },
        ],
        refused: [],
      }),
      [
        counted('token.issued'),
        { counter: 'tokens_issued', labels: { outcome: 'granted', grant: 'password' }, by: 1 },
        { counter: 'access_granted', labels: { type: 'repository', action: 'pull' }, by: 2 },
        { counter: 'access_granted', labels: { type: 'repository', action: 'push' }, by: 1 },
        { counter: 'access_granted', labels: { type: 'registry', action: '*' }, by: 1 },
        { counter: 'access_granted', labels: { type: 'repository', action: 'delete' }, by: 1 },
      ],
    ],
    [
      'actions, types and grants outside the known sets are "other"',
      issued({
        grant: 'client_credentials',
        granted: [],
        refused: [
          { type: 'repository', name: 'a', actions: ['frobnicate'] },
          { type: 'plugin', name: 'b', actions: ['pull'] },
        ],
      }),
      [
        counted('token.issued'),
        { counter: 'tokens_issued', labels: { outcome: 'denied', grant: 'other' }, by: 1 },
        { counter: 'access_refused', labels: { type: 'repository', action: 'other' }, by: 1 },
        { counter: 'access_refused', labels: { type: 'other', action: 'pull' }, by: 1 },
      ],
    ],
    [
      'malformed details count the token and nothing else',
      issued({ granted: 'everything', refused: [null, 3, { type: 'repository' }] }),
      [counted('token.issued'), { counter: 'tokens_issued', labels: { outcome: 'no_scope', grant: 'password' }, by: 1 }],
    ],
    [
      'a wrong secret',
      event('auth.failed', { reason: 'invalid_credentials', grant: 'password' }),
      [counted('auth.failed'), { counter: 'login_failures', labels: { reason: 'invalid_credentials', grant: 'password' }, by: 1 }],
    ],
    [
      'a revoked refresh token',
      event('auth.failed', { reason: 'invalid_refresh_token', grant: 'refresh_token' }),
      [counted('auth.failed'), { counter: 'login_failures', labels: { reason: 'invalid_refresh_token', grant: 'refresh_token' }, by: 1 }],
    ],
    [
      'a lockout is a login failure and a lockout',
      event('auth.failed', { reason: 'too_many_attempts', grant: 'password' }),
      [
        counted('auth.failed'),
        { counter: 'login_failures', labels: { reason: 'too_many_attempts', grant: 'password' }, by: 1 },
        { counter: 'lockouts', labels: {}, by: 1 },
      ],
    ],
    [
      'a reason that is not an error code is "other"',
      event('auth.failed', { reason: 'Robert"); DROP TABLE', grant: 'password' }),
      [counted('auth.failed'), { counter: 'login_failures', labels: { reason: 'other', grant: 'password' }, by: 1 }],
    ],
    ['a created token is only an audit event', event('token.created', { name: 'ci' }), [counted('token.created')]],
    ['a revoked admin key is only an audit event', event('admin_key.revoked', {}), [counted('admin_key.revoked')]],
  ])('%s', (_what, input, expected) => {
    expect(counterIncrementsFor(input)).toEqual(expected);
  });
});
