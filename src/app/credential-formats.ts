import { stringify } from 'yaml';
import type { DeployTokenView } from './deploy-token-view.js';

/** A deploy token with the secret just issued to it: all the formats below need. */
export interface IssuedSecret {
  readonly token: DeployTokenView;
  readonly secret: string;
}

/**
 * The shown-once secret in every form a client needs. One source for the admin API's create and rotate
 * answers, the CLI's --format and the web UI's tabs.
 */
export interface CredentialFormats {
  /** A shell command: the secret goes in on stdin, never on the command line. */
  readonly dockerLogin: string;
  readonly podmanLogin: string;
  /** `~/.docker/config.json` (and a Kubernetes Secret's `.dockerconfigjson`). */
  readonly dockerConfigJson: string;
  /** A `kubernetes.io/dockerconfigjson` Secret manifest. */
  readonly kubernetesSecret: string;
  /** The pod spec lines that use that Secret. */
  readonly imagePullSecrets: string;
  /** The repository secrets to set and the docker/login-action step that reads them. */
  readonly githubActions: string;
  /** CI/CD variables, as GitLab (and other runners reading DOCKER_AUTH_CONFIG) take them. */
  readonly gitlabCi: string;
}

/** Every format, for a registry at `registryHost`; the Kubernetes Secret is named after the token. */
export function credentialFormatsOf(issued: IssuedSecret, registryHost: string): CredentialFormats {
  const { token, secret } = issued;
  const secretName = secretNameFor(token.name);
  return {
    dockerLogin: `${loginCommand('docker', registryHost, token.username, secret)}\n`,
    podmanLogin: `${loginCommand('podman', registryHost, token.username, secret)}\n`,
    dockerConfigJson: `${dockerConfigJson(registryHost, token.username, secret)}\n`,
    kubernetesSecret: kubernetesSecretManifest(issued, registryHost, { name: secretName }),
    imagePullSecrets: `imagePullSecrets:\n  - name: ${secretName}\n`,
    githubActions: githubActionsSnippet(issued, registryHost),
    gitlabCi: ciEnvironment(issued, registryHost),
  };
}

/** `docker login` or `podman login` reading the secret from stdin. */
export function loginCommand(tool: 'docker' | 'podman', registryHost: string, username: string, secret: string): string {
  return `printf '%s' '${secret}' | ${tool} login ${registryHost} --username ${username} --password-stdin`;
}

export function githubActionsSnippet(issued: IssuedSecret, registryHost: string): string {
  const { token, secret } = issued;
  return (
    `# Repository secrets: REGISTRY_USERNAME=${token.username} and REGISTRY_PASSWORD=${secret}\n` +
    `- uses: docker/login-action@v3\n  with:\n    registry: ${registryHost}\n    username: \${{ secrets.REGISTRY_USERNAME }}\n    password: \${{ secrets.REGISTRY_PASSWORD }}\n`
  );
}

export interface SecretManifestOptions {
  readonly name: string;
  readonly namespace?: string | undefined;
}

/** `~/.docker/config.json` shape: what docker, containerd (via the kubelet) and skopeo read. */
export function dockerConfigJson(registryHost: string, username: string, secret: string): string {
  const auth = Buffer.from(`${username}:${secret}`, 'utf8').toString('base64');
  return JSON.stringify({ auths: { [registryHost]: { username, password: secret, auth } } });
}

/** A `kubernetes.io/dockerconfigjson` Secret, ready for `kubectl apply -f -` and imagePullSecrets. */
export function kubernetesSecretManifest(created: IssuedSecret, registryHost: string, options: SecretManifestOptions): string {
  const { token, secret } = created;
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: options.name,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      labels: { 'app.kubernetes.io/managed-by': 'regauth' },
      annotations: {
        'regauth.dev/deploy-token-id': String(token.id),
        'regauth.dev/deploy-token-username': token.username,
        ...(token.expiresAt === null ? {} : { 'regauth.dev/expires-at': token.expiresAt }),
      },
    },
    type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': Buffer.from(dockerConfigJson(registryHost, token.username, secret), 'utf8').toString('base64'),
    },
  };
  return stringify(manifest);
}

/** Variables for a CI job: the login parts, and DOCKER_AUTH_CONFIG as GitLab runners and others read it. */
export function ciEnvironment(created: IssuedSecret, registryHost: string): string {
  const { token, secret } = created;
  const variables: [string, string][] = [
    ['REGISTRY_HOST', registryHost],
    ['REGISTRY_USERNAME', token.username],
    ['REGISTRY_PASSWORD', secret],
    ['DOCKER_AUTH_CONFIG', dockerConfigJson(registryHost, token.username, secret)],
  ];
  return variables.map(([name, value]) => `${name}=${shellQuote(value)}`).join('\n') + '\n';
}

/** A Kubernetes object name from a token name: lowercase, `-` for anything else, at most 63 characters. */
export function secretNameFor(tokenName: string): string {
  const slug = tokenName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return `regauth-${slug === '' ? 'deploy-token' : slug}`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
