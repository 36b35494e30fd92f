import { groupsOf, ssoRoleOf } from '../../../src/core/sso-role.js';

const rules = { groupsClaim: 'groups', adminGroups: ['platform-admins'], viewerGroups: ['auditors', 'readers'] };

describe('groupsOf', () => {
  test.each([
    [{ groups: ['a', 'b'] }, ['a', 'b']],
    [{ groups: 'a' }, ['a']],
    [{ groups: ['a', 7, null, { name: 'b' }] }, ['a']],
    [{ groups: { a: true } }, []],
    [{}, []],
  ])('reads %j as %j', (claims, expected) => {
    expect(groupsOf(claims, 'groups')).toEqual(expected);
  });

  test('reads the configured claim and never an inherited property', () => {
    expect(groupsOf({ roles: ['x'] }, 'roles')).toEqual(['x']);
    expect(groupsOf({}, 'constructor')).toEqual([]);
    expect(groupsOf({}, '__proto__')).toEqual([]);
  });
});

describe('ssoRoleOf', () => {
  test.each([
    [['platform-admins'], 'admin'],
    [['auditors', 'platform-admins'], 'admin'],
    [['readers'], 'viewer'],
    [['everyone'], null],
    [[], null],
    [['Platform-Admins'], null],
  ])('%j gives %s', (groups, role) => {
    expect(ssoRoleOf(groups, rules)).toBe(role);
  });
});
