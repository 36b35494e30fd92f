/** A credential regauth minted for the pod's service-account token. */
export interface ExchangedCredential {
  readonly username: string;
  readonly password: string;
  /** Seconds the credential has left when regauth answered. */
  readonly expiresInSeconds: number;
}
