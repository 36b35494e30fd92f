import type { KeyObject } from 'node:crypto';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
  /** libtrust fingerprint of the public key: the `kid` registry 2.8 looks up. */
  readonly keyId: string;
  readonly keyFile: string;
  readonly certificateFile: string;
}

export class SigningKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeyError';
  }
}
