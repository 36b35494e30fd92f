import { stringify } from 'yaml';

export interface RegistryAuthSettings {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly rootCertBundle: string;
}

/** The `auth.token` block a distribution registry (registry:2 / docker-registry) needs to trust regauth. */
export function registryAuthConfigYaml(settings: RegistryAuthSettings): string {
  return stringify({
    auth: {
      token: {
        realm: settings.realm,
        service: settings.service,
        issuer: settings.issuer,
        rootcertbundle: settings.rootCertBundle,
      },
    },
  });
}
