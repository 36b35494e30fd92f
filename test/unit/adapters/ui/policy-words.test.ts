import { conditionWords, scopeWords } from '../../../../src/adapters/ui/policy-words.js';
import { presetConditions } from '../../../../src/core/federation/policy-presets.js';

describe('policy conditions in plain words', () => {
  test('the presets read as what they check', () => {
    const words = [
      ...presetConditions({ kind: 'github', github: { ownerId: '1', repository: 'acme/app', workflow: 'deploy.yml', environment: 'prod', ref: 'refs/heads/main' } }),
      ...presetConditions({ kind: 'gitlab', gitlab: { namespaceId: '2', project: 'g/p', ref: 'main', protectedRef: false } }),
      ...presetConditions({ kind: 'kubernetes', kubernetes: { namespace: 'ns', serviceAccount: 'sa', uid: 'u-1' } }),
    ].map(conditionWords);
    expect(words).toEqual([
      'GitHub owner ID is 1',
      'repository is acme/app',
      'workflow acme/app/.github/workflows/deploy.yml at any ref',
      'environment is prod',
      'ref is refs/heads/main',
      'GitLab namespace ID is 2',
      'GitLab project is g/p',
      'ref is main',
      'the ref is not protected',
      'Kubernetes namespace is ns',
      'service account is sa',
      'service account uid is u-1',
    ]);
  });

  test('generic conditions name their claim and operator', () => {
    expect(conditionWords({ claim: 'runner_environment', operator: 'in', values: ['github-hosted', 'self-hosted'] })).toBe(
      'claim runner_environment is one of github-hosted, self-hosted',
    );
    expect(conditionWords({ claim: 'job_workflow_ref', operator: 'glob', values: ['acme/*/.github/workflows/x.yml@refs/heads/*'] })).toBe(
      'claim job_workflow_ref matches acme/*/.github/workflows/x.yml@refs/heads/*',
    );
    expect(conditionWords({ claim: 'job_workflow_ref', operator: 'glob', values: ['a/b@*', 'c/d@*/*'] })).toBe('claim job_workflow_ref matches a/b@* or c/d@*/*');
  });

  test('scopes say what a client may do', () => {
    expect(scopeWords(['read_registry', 'write_registry', 'delete_registry', 'read_catalog'])).toBe('pull, push and pull, delete, list the catalog');
  });
});
