import { stringify } from 'yaml';
import type { CreatedDeployToken } from '../app/deploy-token-admin.js';

export const CREDENTIAL_FORMATS = ['text', 'json', 'dockerconfigjson', 'k8s-secret', 'env'] as const;
export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

/** Formats that hold the registry host and so cannot be made without one. */
export const FORMATS_NEEDING_HOST: readonly CredentialFormat[] = ['dockerconfigjson', 'k8s-secret', 'env'];

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
export function kubernetesSecretManifest(created: CreatedDeployToken, registryHost: string, options: SecretManifestOptions): string {
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
export function ciEnvironment(created: CreatedDeployToken, registryHost: string): string {
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
