import type { CreatedDeployToken } from '../../app/deploy-token-admin.js';
import { ciEnvironment, dockerConfigJson, kubernetesSecretManifest, secretNameFor } from '../../cli/credential-formats.js';

export interface CredentialTab {
  readonly id: string;
  readonly label: string;
  readonly fileName: string;
  readonly text: string;
}

/** The shown-once secret in every form a client needs; the file formats are the CLI's --format code. */
export function credentialTabs(created: CreatedDeployToken, registryHost: string): CredentialTab[] {
  const { token, secret } = created;
  const secretName = secretNameFor(token.name);
  const login = (tool: string) => `printf '%s' '${secret}' | ${tool} login ${registryHost} --username ${token.username} --password-stdin\n`;
  return [
    { id: 'docker', label: 'docker login', fileName: 'docker-login.sh', text: login('docker') },
    { id: 'podman', label: 'podman', fileName: 'podman-login.sh', text: login('podman') },
    { id: 'dockerconfigjson', label: '.dockerconfigjson', fileName: 'config.json', text: `${dockerConfigJson(registryHost, token.username, secret)}\n` },
    {
      id: 'kubernetes',
      label: 'Kubernetes Secret',
      fileName: `${secretName}.yaml`,
      text: `${kubernetesSecretManifest(created, registryHost, { name: secretName })}---\n# in the pod spec:\n# imagePullSecrets:\n#   - name: ${secretName}\n`,
    },
    {
      id: 'github',
      label: 'GitHub Actions',
      fileName: 'github-actions.txt',
      text:
        `# Repository secrets: REGISTRY_USERNAME=${token.username} and REGISTRY_PASSWORD=${secret}\n` +
        `- uses: docker/login-action@v3\n  with:\n    registry: ${registryHost}\n    username: \${{ secrets.REGISTRY_USERNAME }}\n    password: \${{ secrets.REGISTRY_PASSWORD }}\n`,
    },
    { id: 'gitlab', label: 'GitLab CI variables', fileName: 'gitlab-ci.env', text: ciEnvironment(created, registryHost) },
  ];
}
