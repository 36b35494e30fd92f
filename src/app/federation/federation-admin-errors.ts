import { RegauthError } from '../../core/regauth-error.js';

export class NameTakenError extends RegauthError {
  readonly code = 'name_taken';
  constructor(readonly what: string) {
    super(`${what} is already taken`);
    this.name = 'NameTakenError';
  }
}

export class TrustedIssuerNotFoundError extends RegauthError {
  readonly code = 'not_found';
  constructor(readonly reference: string) {
    super(`no trusted issuer with id or name "${reference.slice(0, 80)}"`);
    this.name = 'TrustedIssuerNotFoundError';
  }
}

export class TrustPolicyNotFoundError extends RegauthError {
  readonly code = 'not_found';
  constructor(readonly reference: string) {
    super(`no trust policy with id or name "${reference.slice(0, 80)}"`);
    this.name = 'TrustPolicyNotFoundError';
  }
}
