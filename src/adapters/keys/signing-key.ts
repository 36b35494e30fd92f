import type { KeyObject } from 'node:crypto';
import type { RegistryJwk, SigningAlgorithm } from '../../core/registry-jwk.js';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
  /** The certificate, base64 DER: the one entry of a JWT header's `x5c`. */
  readonly certificateBase64Der: string;
  /** libtrust fingerprint of the public key: the `kid` registry 2.8 looks up, and the JWKS file's kid. */
  readonly keyId: string;
  /** RFC 7638 SHA-256 thumbprint of the public key: the kid registry 3 gives a rootcertbundle key. */
  readonly thumbprint: string;
  readonly algorithm: SigningAlgorithm;
  /** When it starts signing: the stamp in its file names. */
  readonly activatesAt: Date;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The public key as registry 3's JWKS file lists it. */
  readonly jwk: RegistryJwk;
  readonly keyFile: string;
  readonly certificateFile: string;
}

export class SigningKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeyError';
  }
}
