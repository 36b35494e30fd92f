import type { CredentialFormats } from '../../app/credential-formats.js';

export interface CredentialTab {
  readonly id: string;
  readonly label: string;
  readonly fileName: string;
  readonly text: string;
}

/** The shown-once secret in every form a client needs, as the admin API and the CLI's --format render it. */
export function credentialTabs(formats: CredentialFormats, secretName: string): CredentialTab[] {
  return [
    { id: 'docker', label: 'docker login', fileName: 'docker-login.sh', text: formats.dockerLogin },
    { id: 'podman', label: 'podman', fileName: 'podman-login.sh', text: formats.podmanLogin },
    { id: 'dockerconfigjson', label: '.dockerconfigjson', fileName: 'config.json', text: formats.dockerConfigJson },
    {
      id: 'kubernetes',
      label: 'Kubernetes Secret',
      fileName: `${secretName}.yaml`,
      text: `${formats.kubernetesSecret}---\n# in the pod spec:\n${commentedOut(formats.imagePullSecrets)}`,
    },
    { id: 'github', label: 'GitHub Actions', fileName: 'github-actions.txt', text: formats.githubActions },
    { id: 'gitlab', label: 'GitLab CI variables', fileName: 'gitlab-ci.env', text: formats.gitlabCi },
  ];
}

function commentedOut(text: string): string {
  return text.trimEnd().split('\n').map((line) => `# ${line}\n`).join('');
}
