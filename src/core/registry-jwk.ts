/** The JWS algorithms regauth signs with: RS256 for RSA keys, ES256 for P-256 keys. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The public members of a JWK, as node's `KeyObject.export({ format: 'jwk' })` gives them. */
export interface PublicJwkInput {
  readonly kty?: string;
  readonly crv?: string;
  readonly n?: string;
  readonly e?: string;
  readonly x?: string;
  readonly y?: string;
  readonly [member: string]: unknown;
}

export type RegistryJwk =
  | { kty: 'RSA'; n: string; e: string; kid: string; alg: 'RS256'; use: 'sig' }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };

/** The algorithm a key of this type signs with, or null for a key type regauth does not sign with. */
export function signingAlgorithmOf(jwk: PublicJwkInput): SigningAlgorithm | null {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return null;
}

/**
 * One entry of the JWKS file a registry 3 reads (`auth.token.jwks`): the public members only (a private
 * `d` and the RSA factors are dropped), under `kid`, with the algorithm and `use: sig`.
 */
export function registryJwk(jwk: PublicJwkInput, kid: string): RegistryJwk {
  const algorithm = signingAlgorithmOf(jwk);
  if (algorithm === 'RS256' && typeof jwk.n === 'string' && typeof jwk.e === 'string') {
    return { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' };
  }
  if (algorithm === 'ES256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
  }
  throw new Error(`not an RSA or P-256 public key: kty ${String(jwk.kty)}${jwk.crv === undefined ? '' : `, crv ${String(jwk.crv)}`}`);
}

/** The JWKS document: keys in the order given (oldest first, by convention). */
export function registryJwks(keys: readonly RegistryJwk[]): { keys: RegistryJwk[] } {
  return { keys: [...keys] };
}
