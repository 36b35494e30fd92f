import fc from 'fast-check';
import { formatConditionLine, parseConditionLine } from '../../../../src/core/federation/condition-text.js';
import { presetConditions } from '../../../../src/core/federation/policy-presets.js';
import type { ClaimCondition } from '../../../../src/core/federation/trust-policy.js';

describe('condition lines', () => {
  test.each([
    ['repository_owner_id=1234', { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] }],
    ['ref in refs/heads/main, refs/heads/release', { claim: 'ref', operator: 'in', values: ['refs/heads/main', 'refs/heads/release'] }],
    ['job_workflow_ref glob a/b@*,a/b@*/*', { claim: 'job_workflow_ref', operator: 'glob', values: ['a/b@*', 'a/b@*/*'] }],
    ['environment=a=b c', { claim: 'environment', operator: 'eq', values: ['a=b c'] }],
    ['kubernetes.io/namespace = shop', { claim: 'kubernetes.io/namespace', operator: 'eq', values: ['shop'] }],
    ['tag in x=1,y', { claim: 'tag', operator: 'in', values: ['x=1', 'y'] }],
  ])('%s', (line, expected) => {
    expect(parseConditionLine(line)).toEqual(expected);
  });

  test('a line without an operator, or with nothing before it, is not a condition', () => {
    expect(parseConditionLine('just words')).toBeNull();
    expect(parseConditionLine('=value')).toBeNull();
  });

  test('every preset condition reads back as itself from its line', () => {
    const conditions = [
      ...presetConditions({ kind: 'github', github: { ownerId: '1', repository: 'acme/app', workflow: 'deploy.yml', environment: 'prod', ref: 'refs/heads/main' } }),
      ...presetConditions({ kind: 'gitlab', gitlab: { namespaceId: '2', project: 'g/p', ref: 'main', protectedRef: true } }),
      ...presetConditions({ kind: 'kubernetes', kubernetes: { namespace: 'ns', serviceAccount: 'sa', uid: 'u-1' } }),
    ];
    for (const condition of conditions) expect(parseConditionLine(formatConditionLine(condition))).toEqual(condition);
  });

  test('a formatted line reads back as the same condition for values without commas or edge spaces', () => {
    const claim = fc.stringMatching(/^[a-z_][a-z0-9_./]{0,20}$/).filter((text) => !text.includes(' in ') && !text.includes(' glob '));
    const value = fc.string({ minLength: 1, maxLength: 20 }).filter((text) => !text.includes(',') && !text.includes('\n') && text.trim() === text && text !== '');
    const condition = fc.oneof(
      fc.record({ claim, operator: fc.constant('eq' as const), values: fc.tuple(value) }),
      fc.record({ claim, operator: fc.constantFrom('in' as const, 'glob' as const), values: fc.array(value, { minLength: 1, maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(condition, (generated: ClaimCondition) => {
        expect(parseConditionLine(formatConditionLine(generated))).toEqual(generated);
      }),
    );
  });
});
