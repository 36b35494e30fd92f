import { SignJWT } from 'jose';
import type { RegistryTokenSigner } from '../../app/ports.js';
import type { RegistryTokenClaims } from '../../core/registry-claims.js';
import type { SigningKey } from './signing-key.js';

export class JoseRegistryTokenSigner implements RegistryTokenSigner {
  readonly keyId: string;

  constructor(private readonly key: SigningKey) {
    this.keyId = key.keyId;
  }

  sign(claims: RegistryTokenClaims): Promise<string> {
    return new SignJWT({ ...claims, access: [...claims.access] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keyId })
      .sign(this.key.privateKey);
  }
}
