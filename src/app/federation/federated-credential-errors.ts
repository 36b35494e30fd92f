import { RegauthError } from '../../core/regauth-error.js';

/** A minted credential past its expiry: the deploy-token code, so clients see one behaviour. */
export class FederatedCredentialExpiredError extends RegauthError {
  readonly code = 'token_expired';
  constructor(readonly expiresAt: Date) {
    super(`the minted credential expired at ${expiresAt.toISOString()}: exchange a new identity token`);
    this.name = 'FederatedCredentialExpiredError';
  }
}

export class FederatedCredentialRevokedError extends RegauthError {
  readonly code = 'token_revoked';
  constructor() {
    super('the minted credential has been revoked');
    this.name = 'FederatedCredentialRevokedError';
  }
}

export class FederatedCredentialNotFoundError extends RegauthError {
  readonly code = 'not_found';
  constructor(readonly reference: string) {
    super(`no minted credential with id or username "${reference.slice(0, 80)}"`);
    this.name = 'FederatedCredentialNotFoundError';
  }
}
