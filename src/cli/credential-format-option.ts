/** What `--format` of `tokens create` and `tokens rotate` prints. */
export const CREDENTIAL_FORMATS = [
  'text',
  'json',
  'dockerconfigjson',
  'k8s-secret',
  'env',
  'docker-login',
  'podman-login',
  'github-actions',
  'gitlab-ci',
] as const;
export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

/** Formats that hold the registry host and so cannot be made without one. */
export const FORMATS_NEEDING_HOST: readonly CredentialFormat[] = [
  'dockerconfigjson',
  'k8s-secret',
  'env',
  'docker-login',
  'podman-login',
  'github-actions',
  'gitlab-ci',
];
