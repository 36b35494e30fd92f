import { evaluateTrustPolicy } from '../../../../src/core/federation/claim-conditions.js';
import { FederationConfigError } from '../../../../src/core/federation/federation-error.js';
import { MAX_WORKFLOW_REF_DEPTH, type PolicyPreset, presetConditions } from '../../../../src/core/federation/policy-presets.js';
import type { ClaimCondition } from '../../../../src/core/federation/trust-policy.js';
import { NOW, trustPolicy } from './trust-policy-fixture.js';

const eq = (claim: string, value: string): ClaimCondition => ({ claim, operator: 'eq', values: [value] });

describe('presetConditions', () => {
  test('GitHub: owner ID, repository, environment and ref compile to eq conditions', () => {
    expect(
      presetConditions({
        kind: 'github',
        github: { ownerId: '1234', repository: 'acme/app', environment: 'production', ref: 'refs/heads/main' },
      }),
    ).toEqual([
      eq('repository_owner_id', '1234'),
      eq('repository', 'acme/app'),
      eq('environment', 'production'),
      eq('ref', 'refs/heads/main'),
    ]);
  });

  test('GitHub: a workflow file is a glob on job_workflow_ref at a ref of any depth', () => {
    const [condition] = presetConditions({ kind: 'github', github: { repository: 'acme/app', workflow: 'release.yml' } }).slice(1);
    expect(condition?.claim).toBe('job_workflow_ref');
    expect(condition?.operator).toBe('glob');
    expect(condition?.values).toHaveLength(MAX_WORKFLOW_REF_DEPTH);
    expect(condition?.values.slice(0, 3)).toEqual([
      'acme/app/.github/workflows/release.yml@*',
      'acme/app/.github/workflows/release.yml@*/*',
      'acme/app/.github/workflows/release.yml@*/*/*',
    ]);
  });

  test.each<[string, boolean]>([
    ['acme/app/.github/workflows/release.yml@refs/heads/main', true],
    ['acme/app/.github/workflows/release.yml@refs/heads/release/1.2', true],
    ['acme/app/.github/workflows/release.yml@refs/tags/v1', true],
    ['acme/app/.github/workflows/release.yml@0123abcd', true],
    ['acme/app/.github/workflows/release.yml.evil@refs/heads/main', false],
    ['acme/app/.github/workflows/other.yml@refs/heads/main', false],
    ['acme/app-fork/.github/workflows/release.yml@refs/heads/main', false],
    ['evil/acme/app/.github/workflows/release.yml@refs/heads/main', false],
    ['acme/app/.github/workflows/sub/release.yml@refs/heads/main', false],
  ])('the GitHub workflow preset on job_workflow_ref %j matches: %j', (jobWorkflowRef, matched) => {
    const conditions = presetConditions({ kind: 'github', github: { ownerId: '1', repository: 'acme/app', workflow: 'release.yml' } });
    const claims = { repository_owner_id: 1, repository: 'acme/app', job_workflow_ref: jobWorkflowRef };
    expect(evaluateTrustPolicy(trustPolicy(conditions), claims, NOW).matched).toBe(matched);
  });

  test('GitLab: namespace ID, project, ref and protected ref', () => {
    expect(
      presetConditions({ kind: 'gitlab', gitlab: { namespaceId: '42', project: 'acme/sub/app', ref: 'main', protectedRef: true } }),
    ).toEqual([eq('namespace_id', '42'), eq('project_path', 'acme/sub/app'), eq('ref', 'main'), eq('ref_protected', 'true')]);
    expect(presetConditions({ kind: 'gitlab', gitlab: { protectedRef: false } })).toEqual([eq('ref_protected', 'false')]);
  });

  test('GitLab: the protected-ref condition matches the boolean claim', () => {
    const conditions = presetConditions({ kind: 'gitlab', gitlab: { namespaceId: '42', protectedRef: true } });
    expect(evaluateTrustPolicy(trustPolicy(conditions), { namespace_id: '42', ref_protected: true }, NOW).matched).toBe(true);
    expect(evaluateTrustPolicy(trustPolicy(conditions), { namespace_id: '42', ref_protected: false }, NOW).matched).toBe(false);
    expect(evaluateTrustPolicy(trustPolicy(conditions), { namespace_id: '42', ref_protected: 'yes' }, NOW).matched).toBe(false);
  });

  test('Kubernetes: namespace, service account and uid are nested claims', () => {
    const conditions = presetConditions({ kind: 'kubernetes', kubernetes: { namespace: 'ci', serviceAccount: 'builder', uid: 'u-1' } });
    expect(conditions).toEqual([
      eq('kubernetes.io/namespace', 'ci'),
      eq('kubernetes.io/serviceaccount/name', 'builder'),
      eq('kubernetes.io/serviceaccount/uid', 'u-1'),
    ]);
    const claims = { 'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'builder', uid: 'u-1' } } };
    expect(evaluateTrustPolicy(trustPolicy(conditions), claims, NOW).matched).toBe(true);
  });

  test('an empty preset compiles to no conditions (which validation refuses)', () => {
    expect(presetConditions({ kind: 'github', github: {} })).toEqual([]);
  });

  test.each<[string, PolicyPreset, string]>([
    ['an owner name for an ID', { kind: 'github', github: { ownerId: 'acme' } }, 'invalid GitHub owner ID "acme"'],
    ['an empty owner ID', { kind: 'github', github: { ownerId: '' } }, 'invalid GitHub owner ID'],
    ['a leading zero', { kind: 'github', github: { ownerId: '0123' } }, 'invalid GitHub owner ID'],
    ['a negative ID', { kind: 'github', github: { ownerId: '-1' } }, 'invalid GitHub owner ID'],
    ['a 21-digit ID', { kind: 'github', github: { ownerId: '1'.repeat(21) } }, 'invalid GitHub owner ID'],
    ['a unicode digit', { kind: 'github', github: { ownerId: '١٢' } }, 'invalid GitHub owner ID'],
    ['a namespace name', { kind: 'gitlab', gitlab: { namespaceId: 'acme' } }, 'invalid GitLab namespace ID'],
    ['a repository without owner', { kind: 'github', github: { repository: 'app' } }, 'invalid GitHub repository "app"'],
    ['a repository with three parts', { kind: 'github', github: { repository: 'a/b/c' } }, 'invalid GitHub repository'],
    ['a repository with a star', { kind: 'github', github: { repository: 'acme/*' } }, 'invalid GitHub repository'],
    ['a repository of dots', { kind: 'github', github: { repository: 'acme/..' } }, 'invalid GitHub repository'],
    ['a workflow without repository', { kind: 'github', github: { workflow: 'release.yml' } }, 'needs its repository'],
    ['a workflow path', { kind: 'github', github: { repository: 'acme/app', workflow: 'a/release.yml' } }, 'invalid GitHub workflow'],
    ['a workflow glob', { kind: 'github', github: { repository: 'acme/app', workflow: '*.yml' } }, 'invalid GitHub workflow'],
    ['a workflow that is no YAML', { kind: 'github', github: { repository: 'acme/app', workflow: 'release' } }, 'invalid GitHub workflow'],
    ['a short ref', { kind: 'github', github: { ref: 'main' } }, 'invalid GitHub ref "main"'],
    ['an empty environment', { kind: 'github', github: { environment: '' } }, 'invalid GitHub environment'],
    ['a one-part GitLab project', { kind: 'gitlab', gitlab: { project: 'app' } }, 'invalid GitLab project'],
    ['an empty namespace', { kind: 'kubernetes', kubernetes: { namespace: '' } }, 'invalid Kubernetes namespace'],
    ['a huge service account', { kind: 'kubernetes', kubernetes: { serviceAccount: 'x'.repeat(256) } }, 'invalid Kubernetes service account'],
  ])('refuses %s with a clear message', (_label, preset, message) => {
    expect(() => presetConditions(preset)).toThrow(FederationConfigError);
    expect(() => presetConditions(preset)).toThrow(message);
  });
});
