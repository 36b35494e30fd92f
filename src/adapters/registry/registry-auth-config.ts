import { stringify } from 'yaml';
import { SIGNING_ALGORITHMS } from '../../core/registry-jwk.js';

export type RegistryVersion = 2 | 3;

export interface RegistryAuthSettings {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly rootCertBundle: string;
  /** Registry 3 only: the JWKS file. Absent: the registry 2 (2.8) block. */
  readonly jwks?: string;
}

/**
 * The `auth.token` block a distribution registry needs to trust regauth. Registry 2.8 (registry:2,
 * Debian's docker-registry) finds the key through `rootcertbundle`. For registry 3 the block also names
 * the JWKS file, where each key carries the libtrust kid regauth's tokens name (registry 3 would otherwise
 * know a rootcertbundle key only by its RFC 7638 thumbprint), keeps `rootcertbundle` for tokens that carry
 * `x5c`, and limits `signingalgorithms` to the two regauth signs with (registry 3 accepts more by default).
 */
export function registryAuthConfigYaml(settings: RegistryAuthSettings): string {
  const token: Record<string, unknown> = {
    realm: settings.realm,
    service: settings.service,
    issuer: settings.issuer,
    rootcertbundle: settings.rootCertBundle,
  };
  if (settings.jwks !== undefined) {
    token.jwks = settings.jwks;
    token.signingalgorithms = [...SIGNING_ALGORITHMS];
  }
  return stringify({ auth: { token } });
}
