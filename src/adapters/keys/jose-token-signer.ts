import { SignJWT, type JWTHeaderParameters } from 'jose';
import type { RegistryTokenSigner } from '../../app/ports.js';
import type { RegistryTokenClaims } from '../../core/registry-claims.js';
import type { SigningKeySource } from './key-ring.js';
import type { SigningKey } from './signing-key.js';

/**
 * How a token names its key. `kid`: the libtrust key id, which registry 2.8 looks up among its
 * rootcertbundle keys and registry 3 in its JWKS file. `x5c`: the signing certificate as well (and the kid),
 * which both versions try first and verify against rootcertbundle, validity dates included.
 */
export type TokenHeaderKey = 'kid' | 'x5c';

/** Signs with the key the source names at that moment: RS256 for an RSA key, ES256 for a P-256 key. */
export class JoseRegistryTokenSigner implements RegistryTokenSigner {
  private readonly source: SigningKeySource;

  constructor(
    key: SigningKey | SigningKeySource,
    private readonly headerKey: TokenHeaderKey = 'kid',
  ) {
    this.source = 'signingKey' in key ? key : { signingKey: () => key };
  }

  get keyId(): string {
    return this.source.signingKey().keyId;
  }

  sign(claims: RegistryTokenClaims): Promise<string> {
    const key = this.source.signingKey();
    const header: JWTHeaderParameters = { alg: key.algorithm, typ: 'JWT', kid: key.keyId };
    if (this.headerKey === 'x5c') header.x5c = [key.certificateBase64Der];
    return new SignJWT({ ...claims, access: [...claims.access] }).setProtectedHeader(header).sign(key.privateKey);
  }
}
