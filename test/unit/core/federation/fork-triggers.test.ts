import { forkTriggerRefusal } from '../../../../src/core/federation/fork-triggers.js';
import type { IssuerKind } from '../../../../src/core/federation/trusted-issuer.js';

describe('forkTriggerRefusal', () => {
  test.each<[IssuerKind, boolean, unknown, boolean]>([
    ['github', false, 'pull_request_target', true],
    ['github', false, 'workflow_run', true],
    ['github', false, 'push', false],
    ['github', false, 'pull_request', false],
    ['github', false, 'workflow_dispatch', false],
    ['github', false, undefined, false],
    ['github', false, 'PULL_REQUEST_TARGET', false],
    ['github', false, ['pull_request_target'], false],
    ['github', true, 'pull_request_target', false],
    ['github', true, 'workflow_run', false],
    ['gitlab', false, 'pull_request_target', false],
    ['kubernetes', false, 'workflow_run', false],
    ['generic', false, 'workflow_run', false],
  ])('on %s with allowForkTriggers %j, event_name %j refused: %j', (kind, allowForkTriggers, event, refused) => {
    const claims = event === undefined ? {} : { event_name: event };
    const refusal = forkTriggerRefusal({ kind }, { allowForkTriggers }, claims);
    expect(refusal !== null).toBe(refused);
  });

  test('says which claim refused the token and what it held', () => {
    expect(forkTriggerRefusal({ kind: 'github' }, { allowForkTriggers: false }, { event_name: 'workflow_run' })).toEqual({
      claim: 'event_name',
      operator: 'in',
      expected: ['any event but', 'pull_request_target', 'workflow_run'],
      got: 'workflow_run',
    });
  });

  test('a __proto__ claim set does not bring in an event the token lacks', () => {
    const claims = JSON.parse('{"__proto__": {"event_name": "pull_request_target"}}') as Record<string, unknown>;
    expect(forkTriggerRefusal({ kind: 'github' }, { allowForkTriggers: false }, claims)).toBeNull();
  });
});
