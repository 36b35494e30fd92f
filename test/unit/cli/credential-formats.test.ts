import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { parse } from 'yaml';
import type { IssuedSecret } from '../../../src/app/credential-formats.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import {
  ciEnvironment,
  credentialFormatsOf,
  dockerConfigJson,
  kubernetesSecretManifest,
  secretNameFor,
} from '../../../src/app/credential-formats.js';
import { CREDENTIAL_FORMATS, FORMATS_NEEDING_HOST } from '../../../src/cli/credential-format-option.js';
import { validateKubernetesObject, type KubernetesObject } from '../../support/kubernetes-schema.js';

const FC_SEED = 20_261_208;
const SECRET = 'regauth_0123456789abcdefghijABCDEFGHIJ0123ABCDEF';
const HOST = 'registry.example.com';

function created(overrides: Partial<DeployTokenView> = {}, secret = SECRET): IssuedSecret {
  return {
    secret,
    token: {
      id: 7,
      name: 'prod cluster',
      username: 'deploy-token-7',
      repositories: ['team/**'],
      scopes: ['read_registry'],
      status: 'active',
      expiresAt: null,
      revokedAt: null,
      createdAt: '2026-11-23T10:00:00.000Z',
      lastUsedAt: null,
      lastUsedIp: null,
      tokenLifetimeSeconds: null,
      updatedAt: null,
      secretIssuedAt: '2026-11-23T10:00:00.000Z',
      secretIssuedBy: 'cli',
      ...overrides,
    },
  };
}

interface DockerConfig {
  auths: Record<string, { username: string; password: string; auth: string }>;
}

describe('credential formats', () => {
  test('credentialFormatsOf holds every format, each the text the single-format functions make', () => {
    const issued = created({ name: 'Prod Cluster', expiresAt: '2027-01-31T00:00:00.000Z' });
    const formats = credentialFormatsOf(issued, HOST);
    expect(formats).toStrictEqual({
      dockerLogin: `printf '%s' '${SECRET}' | docker login ${HOST} --username deploy-token-7 --password-stdin\n`,
      podmanLogin: `printf '%s' '${SECRET}' | podman login ${HOST} --username deploy-token-7 --password-stdin\n`,
      dockerConfigJson: `${dockerConfigJson(HOST, 'deploy-token-7', SECRET)}\n`,
      kubernetesSecret: kubernetesSecretManifest(issued, HOST, { name: 'regauth-prod-cluster' }),
      imagePullSecrets: 'imagePullSecrets:\n  - name: regauth-prod-cluster\n',
      githubActions: expect.stringContaining(`registry: ${HOST}\n`),
      gitlabCi: ciEnvironment(issued, HOST),
    });
    expect(formats.githubActions).toContain(`REGISTRY_PASSWORD=${SECRET}`);
    expect(formats.githubActions).toContain('password: ${{ secrets.REGISTRY_PASSWORD }}');
  });

  test('the formats, and which ones need a registry host', () => {
    expect(CREDENTIAL_FORMATS).toStrictEqual([
      'text', 'json', 'dockerconfigjson', 'k8s-secret', 'env', 'docker-login', 'podman-login', 'github-actions', 'gitlab-ci',
    ]);
    expect(FORMATS_NEEDING_HOST).toStrictEqual(CREDENTIAL_FORMATS.filter((format) => format !== 'text' && format !== 'json'));
  });
});

describe('dockerConfigJson', () => {
  test('auths.<host> holds username, password and auth = base64(username:secret)', () => {
    const config = JSON.parse(dockerConfigJson(HOST, 'deploy-token-7', SECRET)) as DockerConfig;
    expect(config).toStrictEqual({
      auths: {
        [HOST]: {
          username: 'deploy-token-7',
          password: SECRET,
          auth: Buffer.from(`deploy-token-7:${SECRET}`).toString('base64'),
        },
      },
    });
    expect(Buffer.from(config.auths[HOST]?.auth ?? '', 'base64').toString('utf8')).toBe(`deploy-token-7:${SECRET}`);
  });

  test('a host with a port is the key as given', () => {
    const config = JSON.parse(dockerConfigJson('127.0.0.1:5000', 'u', SECRET)) as DockerConfig;
    expect(Object.keys(config.auths)).toStrictEqual(['127.0.0.1:5000']);
  });

  test('is one line of JSON (fits a CI variable)', () => {
    expect(dockerConfigJson(HOST, 'u', SECRET)).not.toContain('\n');
  });

  test('property: auth decodes back to username:secret and the split at the first colon gives both back', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9._+-]{1,64}$/),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.stringMatching(/^[a-z0-9.-]{1,30}(:[0-9]{1,5})?$/),
        (username, secret, host) => {
          const config = JSON.parse(dockerConfigJson(host, username, secret)) as DockerConfig;
          const entry = config.auths[host];
          expect(entry).toBeDefined();
          const decoded = Buffer.from(entry?.auth ?? '', 'base64').toString('utf8');
          expect(decoded).toBe(`${username}:${secret}`);
          const colon = decoded.indexOf(':');
          expect([decoded.slice(0, colon), decoded.slice(colon + 1)]).toStrictEqual([username, secret]);
          expect([entry?.username, entry?.password]).toStrictEqual([username, secret]);
        },
      ),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

describe('kubernetesSecretManifest', () => {
  const manifestOf = (text: string) => parse(text) as KubernetesObject & {
    type: string;
    data: Record<string, string>;
    metadata: { annotations?: Record<string, string> };
  };

  test('is a kubernetes.io/dockerconfigjson Secret whose data decodes to the docker config', async () => {
    const text = kubernetesSecretManifest(created(), HOST, { name: 'regauth-pull', namespace: 'team-app' });
    const manifest = manifestOf(text);
    expect(manifest).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'regauth-pull',
        namespace: 'team-app',
        labels: { 'app.kubernetes.io/managed-by': 'regauth' },
        annotations: {
          'regauth.dev/deploy-token-id': '7',
          'regauth.dev/deploy-token-username': 'deploy-token-7',
        },
      },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': expect.any(String) },
    });
    const decoded = Buffer.from(manifest.data['.dockerconfigjson'] ?? '', 'base64').toString('utf8');
    expect(decoded).toBe(dockerConfigJson(HOST, 'deploy-token-7', SECRET));
    await validateKubernetesObject(manifest);
  });

  test('without a namespace there is no namespace field (kubectl -n decides)', async () => {
    const manifest = manifestOf(kubernetesSecretManifest(created(), HOST, { name: 'regauth-pull' }));
    expect(manifest.metadata).not.toHaveProperty('namespace');
    await validateKubernetesObject(manifest);
  });

  test('an expiring token is annotated with its expiry', () => {
    const manifest = manifestOf(
      kubernetesSecretManifest(created({ expiresAt: '2027-02-21T10:00:00.000Z' }), HOST, { name: 'regauth-pull' }),
    );
    expect(manifest.metadata.annotations).toStrictEqual({
      'regauth.dev/deploy-token-id': '7',
      'regauth.dev/deploy-token-username': 'deploy-token-7',
      'regauth.dev/expires-at': '2027-02-21T10:00:00.000Z',
    });
  });

  test('annotation values stay strings in YAML (an id is not read back as a number)', () => {
    const text = kubernetesSecretManifest(created({ id: 12, username: '123' }), HOST, { name: 'regauth-x' });
    const annotations = manifestOf(text).metadata.annotations ?? {};
    expect(annotations['regauth.dev/deploy-token-id']).toBe('12');
    expect(annotations['regauth.dev/deploy-token-username']).toBe('123');
  });

  test('a secret with YAML-special characters survives the round trip', () => {
    const tricky = `it's: "quoted" # not a comment\n- [x]`;
    const manifest = manifestOf(kubernetesSecretManifest(created({}, tricky), HOST, { name: 'regauth-x' }));
    const config = JSON.parse(Buffer.from(manifest.data['.dockerconfigjson'] ?? '', 'base64').toString('utf8')) as DockerConfig;
    expect(config.auths[HOST]?.password).toBe(tricky);
  });

  test('the secret itself never appears in clear text in the manifest', () => {
    expect(kubernetesSecretManifest(created(), HOST, { name: 'regauth-pull' })).not.toContain(SECRET);
  });
});

// ---------------------------------------------------------------------------------------------------------
// ciEnvironment
// ---------------------------------------------------------------------------------------------------------

/** Reads `NAME='value'` lines the way a POSIX shell reads single-quoted words ('\'' closes, escapes, reopens). */
function parseShellAssignments(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const equals = text.indexOf('=', i);
    if (equals < 0) throw new Error(`no = after offset ${i}`);
    const name = text.slice(i, equals);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`bad name ${JSON.stringify(name)}`);
    i = equals + 1;
    let value = '';
    while (i < text.length && text[i] !== '\n') {
      if (text[i] === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) throw new Error('unterminated quote');
        value += text.slice(i + 1, close);
        i = close + 1;
      } else if (text[i] === '\\' && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else {
        throw new Error(`unquoted character ${JSON.stringify(text[i])} at ${i}`);
      }
    }
    variables[name] = value;
    i += 1;
  }
  return variables;
}

const bash = (() => {
  try {
    execFileSync('bash', ['-c', 'true'], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    return true;
  } catch {
    return false;
  }
})();

/** What bash sees after sourcing the output with `set -a` (as a CI job's env file would be). */
function throughBash(output: string): Record<string, string> {
  const printed = execFileSync(
    'bash',
    [
      '-c',
      'set -a; eval "$1"; printf "%s\\0" "$REGISTRY_HOST" "$REGISTRY_USERNAME" "$REGISTRY_PASSWORD" "$DOCKER_AUTH_CONFIG"',
      'bash',
      output,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  const [host, username, password, config] = printed.split('\0');
  return { REGISTRY_HOST: host ?? '', REGISTRY_USERNAME: username ?? '', REGISTRY_PASSWORD: password ?? '', DOCKER_AUTH_CONFIG: config ?? '' };
}

describe('ciEnvironment', () => {
  test('prints the four variables, single-quoted, one per line, ending in a newline', () => {
    const output = ciEnvironment(created(), HOST);
    expect(output).toBe(
      [
        `REGISTRY_HOST='${HOST}'`,
        `REGISTRY_USERNAME='deploy-token-7'`,
        `REGISTRY_PASSWORD='${SECRET}'`,
        `DOCKER_AUTH_CONFIG='${dockerConfigJson(HOST, 'deploy-token-7', SECRET)}'`,
        '',
      ].join('\n'),
    );
    expect(parseShellAssignments(output)).toStrictEqual({
      REGISTRY_HOST: HOST,
      REGISTRY_USERNAME: 'deploy-token-7',
      REGISTRY_PASSWORD: SECRET,
      DOCKER_AUTH_CONFIG: dockerConfigJson(HOST, 'deploy-token-7', SECRET),
    });
  });

  const tricky = [
    ['a plain secret', SECRET],
    ['a single quote', "it's"],
    ['only quotes', "'''"],
    ['shell expansions', '$HOME `id` $(id) ${PATH} !!'],
    ['backslashes and double quotes', '\\"\\n\\\'"'],
    ['spaces and a tab', ' a b\tc '],
    ['a newline', 'line1\nline2'],
    ['glob characters', '* ? [a]'],
  ] as const;

  (bash ? test.each : test.skip.each)(tricky)('bash reads back the exact values with %s', (_label, secret) => {
    const output = ciEnvironment(created({}, secret), HOST);
    expect(throughBash(output)).toStrictEqual({
      REGISTRY_HOST: HOST,
      REGISTRY_USERNAME: 'deploy-token-7',
      REGISTRY_PASSWORD: secret,
      DOCKER_AUTH_CONFIG: dockerConfigJson(HOST, 'deploy-token-7', secret),
    });
  });

  test('property: single-quote parsing gives back every value, whatever the secret holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }).filter((text) => !text.includes('\n')), (secret) => {
        const output = ciEnvironment(created({}, secret), HOST);
        const variables = parseShellAssignments(output);
        expect(variables.REGISTRY_PASSWORD).toBe(secret);
        expect(JSON.parse(variables.DOCKER_AUTH_CONFIG ?? '') as DockerConfig).toStrictEqual(
          JSON.parse(dockerConfigJson(HOST, 'deploy-token-7', secret)),
        );
      }),
      { seed: FC_SEED, numRuns: 1_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// secretNameFor
// ---------------------------------------------------------------------------------------------------------

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('secretNameFor', () => {
  test.each<[string, string]>([
    ['prod cluster', 'regauth-prod-cluster'],
    ['ci of team/app', 'regauth-ci-of-team-app'],
    ['Prod Cluster', 'regauth-prod-cluster'],
    ['  spaced  out  ', 'regauth-spaced-out'],
    ['k8s.prod_pull', 'regauth-k8s-prod-pull'],
    ['a--b', 'regauth-a--b'],
    ['-leading and trailing-', 'regauth-leading-and-trailing'],
    ['équipe', 'regauth-quipe'],
    ['', 'regauth-deploy-token'],
    ['!!!', 'regauth-deploy-token'],
    ['日本語', 'regauth-deploy-token'],
    ['x'.repeat(100), `regauth-${'x'.repeat(50)}`],
    [`${'a'.repeat(49)} b`, `regauth-${'a'.repeat(49)}`],
  ])('%j → %s', (name, expected) => {
    expect(secretNameFor(name)).toBe(expected);
  });

  test('property: always a DNS-1123 label of at most 63 characters starting with regauth-', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 80 })), (name) => {
        const secretName = secretNameFor(name);
        expect(secretName.length).toBeLessThanOrEqual(63);
        expect(secretName).toMatch(DNS_1123_LABEL);
        expect(secretName.startsWith('regauth-')).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 2_000 },
    );
  });

  test('property: a name that is already a short lowercase slug is kept', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/), (slug) => {
        expect(secretNameFor(slug)).toBe(`regauth-${slug}`);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
