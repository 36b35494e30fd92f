import fc from 'fast-check';
import { MAX_AUDIT_TEXT } from '../../../src/core/audit-bounds.js';
import { claimsSnapshot } from '../../../src/core/federation/claims-snapshot.js';
import { looksLikeSecret } from '../../../src/core/secret-text.js';

const FC_SEED = 20_261_204;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

const GITHUB_CLAIMS = {
  iss: 'https://token.actions.githubusercontent.com',
  aud: 'https://registry.example.test',
  sub: 'repo:octo-org/app:environment:prod',
  jti: 'a-jti',
  exp: 1_900_000_000,
  repository: 'octo-org/app',
  repository_id: '56789',
  repository_owner: 'octo-org',
  repository_owner_id: 1234,
  ref: 'refs/heads/main',
  ref_protected: true,
  sha: 'c0ffee',
  run_id: '42',
  workflow: 'release',
  job_workflow_ref: 'octo-org/app/.github/workflows/release.yml@refs/heads/main',
  event_name: 'push',
  environment: 'prod',
  actor: 'mona',
};

describe('claimsSnapshot', () => {
  test('GitHub: the claims that name the job, as text; token bookkeeping (iss, aud, exp, jti) is left out', () => {
    expect(claimsSnapshot('github', GITHUB_CLAIMS)).toStrictEqual({
      sub: 'repo:octo-org/app:environment:prod',
      repository: 'octo-org/app',
      repository_id: '56789',
      repository_owner: 'octo-org',
      repository_owner_id: '1234',
      ref: 'refs/heads/main',
      sha: 'c0ffee',
      run_id: '42',
      workflow: 'release',
      job_workflow_ref: 'octo-org/app/.github/workflows/release.yml@refs/heads/main',
      event_name: 'push',
      environment: 'prod',
      actor: 'mona',
    });
  });

  test('GitLab: namespace, project, pipeline, job and ref', () => {
    expect(
      claimsSnapshot('gitlab', {
        sub: 'project_path:group/app:ref_type:branch:ref:main',
        namespace_id: '77',
        namespace_path: 'group',
        project_id: '88',
        project_path: 'group/app',
        pipeline_id: '1001',
        job_id: '2002',
        ref: 'main',
        ref_type: 'branch',
        user_email: 'someone@example.test',
      }),
    ).toStrictEqual({
      sub: 'project_path:group/app:ref_type:branch:ref:main',
      namespace_id: '77',
      namespace_path: 'group',
      project_id: '88',
      project_path: 'group/app',
      pipeline_id: '1001',
      job_id: '2002',
      ref: 'main',
      ref_type: 'branch',
    });
  });

  test('Kubernetes: namespace, service account, pod and node from the nested kubernetes.io claim', () => {
    expect(
      claimsSnapshot('kubernetes', {
        sub: 'system:serviceaccount:shop:puller',
        'kubernetes.io': {
          namespace: 'shop',
          serviceaccount: { name: 'puller', uid: 'sa-uid' },
          pod: { name: 'web-1', uid: 'pod-uid' },
          node: { name: 'node-a', uid: 'node-uid' },
        },
      }),
    ).toStrictEqual({
      sub: 'system:serviceaccount:shop:puller',
      'kubernetes.io/namespace': 'shop',
      'kubernetes.io/serviceaccount/name': 'puller',
      'kubernetes.io/serviceaccount/uid': 'sa-uid',
      'kubernetes.io/pod/name': 'web-1',
      'kubernetes.io/pod/uid': 'pod-uid',
      'kubernetes.io/node/name': 'node-a',
    });
  });

  test('generic: the subject only', () => {
    expect(claimsSnapshot('generic', { sub: 'build-agent-3', repository: 'x' })).toStrictEqual({ sub: 'build-agent-3' });
  });

  test.each<[string, unknown, string | undefined]>([
    ['a string', 'main', 'main'],
    ['an integer', 42, '42'],
    ['a boolean', false, 'false'],
    ['a fraction', 1.5, undefined],
    ['an unsafe integer', 2 ** 60, undefined],
    ['null', null, undefined],
    ['an array', ['main'], undefined],
    ['an object', { ref: 'main' }, undefined],
    ['a JWT pasted into a claim', JWT, '[redacted secret]'],
    ['a deploy-token secret', 'regauth_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL', '[redacted secret]'],
    ['an escape sequence', 'main\u001b[31m', 'main\\x1b[31m'],
    ['a bidi override', 'main\u202e', 'main\\u202e'],
  ])('a claim value that is %s', (_what, value, expected) => {
    expect(claimsSnapshot('github', { ref: value }).ref).toBe(expected);
  });

  test('a nested path through a value that is not an object yields nothing', () => {
    expect(claimsSnapshot('kubernetes', { 'kubernetes.io': 'shop' })).toStrictEqual({});
    expect(claimsSnapshot('kubernetes', { 'kubernetes.io': { serviceaccount: ['puller'] } })).toStrictEqual({});
  });

  test('for any claims: only known names, every value a bounded string that holds no secret', () => {
    const value = fc.oneof(fc.string({ maxLength: 2_000 }), fc.integer(), fc.boolean(), fc.constant(JWT), fc.object({ maxDepth: 2 }));
    const claims = fc.dictionary(
      fc.constantFrom('sub', 'repository', 'ref', 'sha', 'actor', 'password', 'kubernetes.io', 'namespace_path'),
      value,
    );
    fc.assert(
      fc.property(fc.constantFrom('github', 'gitlab', 'kubernetes', 'generic' as const), claims, (kind, input) => {
        const snapshot = claimsSnapshot(kind, input);
        return Object.entries(snapshot).every(
          ([name, text]) => name !== 'password' && typeof text === 'string' && text.length <= MAX_AUDIT_TEXT && !looksLikeSecret(text),
        );
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
