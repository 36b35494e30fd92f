import { auditAccessSummary } from '../../../../src/adapters/ui/audit-access-summary.js';

describe('auditAccessSummary', () => {
  test.each([
    ['a pull and push', { granted: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }], refused: [] }, 'granted pull, push team/app'],
    [
      'granted and refused',
      { granted: [{ type: 'repository', name: 'team/app', actions: ['pull'] }], refused: [{ type: 'repository', name: 'team/app', actions: ['push'] }] },
      'granted pull team/app; refused push team/app',
    ],
    ['the catalog', { granted: [{ type: 'registry', name: 'catalog', actions: ['*'] }], refused: [] }, 'granted * registry catalog'],
    ['a login with no scope', { granted: [], refused: [] }, 'login only (no repository asked for)'],
    ['an event without access', { keyId: 'X' }, ''],
    ['malformed entries are left out', { granted: [null, 'x', { name: 1, actions: [] }, { name: 'a/b', actions: ['pull', 7] }] }, 'granted pull a/b'],
  ])('%s', (_label, details, expected) => {
    expect(auditAccessSummary(details)).toBe(expected);
  });
});
