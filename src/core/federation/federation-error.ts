import { RegauthError } from '../regauth-error.js';

/** A trusted issuer or trust policy that cannot be saved as given; the message says what to change. */
export class FederationConfigError extends RegauthError {
  readonly code = 'invalid_input';

  constructor(message: string) {
    super(message);
    this.name = 'FederationConfigError';
  }
}
