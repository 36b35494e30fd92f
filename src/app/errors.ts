import { RegauthError } from '../core/regauth-error.js';

/**
 * What refusing a username and secret took: `none` for credentials that cannot exist (refused on their shape),
 * `lookup` for a refusal without a hash (remembered, or an unknown username from an address over its budget),
 * `hash` for a bcrypt comparison. Only guesses that were looked at count for the brute-force protection.
 */
export type CredentialCheckWork = 'none' | 'lookup' | 'hash';

export class InvalidCredentialsError extends RegauthError {
  readonly code = 'invalid_credentials';
  constructor(readonly work: CredentialCheckWork = 'none') {
    super('invalid username or secret');
    this.name = 'InvalidCredentialsError';
  }
}

export class InvalidRefreshTokenError extends RegauthError {
  readonly code = 'invalid_refresh_token';
  constructor() {
    super('unknown refresh token: log in again');
    this.name = 'InvalidRefreshTokenError';
  }
}

export class DeployTokenExpiredError extends RegauthError {
  readonly code = 'token_expired';
  constructor(readonly expiresAt: Date) {
    super(`deploy token expired at ${expiresAt.toISOString()}`);
    this.name = 'DeployTokenExpiredError';
  }
}

export class DeployTokenRevokedError extends RegauthError {
  readonly code = 'token_revoked';
  constructor() {
    super('deploy token has been revoked');
    this.name = 'DeployTokenRevokedError';
  }
}

export class AccountMismatchError extends RegauthError {
  readonly code = 'account_mismatch';
  constructor() {
    super('account does not match the username of the credentials');
    this.name = 'AccountMismatchError';
  }
}

export class UnknownServiceError extends RegauthError {
  readonly code = 'unknown_service';
  constructor(readonly service: string) {
    super(`this token service issues tokens for another service, not "${service.slice(0, 80)}"`);
    this.name = 'UnknownServiceError';
  }
}

export class InvalidInputError extends RegauthError {
  readonly code = 'invalid_input';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export class UsernameTakenError extends RegauthError {
  readonly code = 'username_taken';
  constructor(readonly username: string) {
    super(`username "${username}" is already taken`);
    this.name = 'UsernameTakenError';
  }
}

export class DeployTokenNotFoundError extends RegauthError {
  readonly code = 'not_found';
  constructor(readonly reference: string) {
    super(`no deploy token with id or username "${reference}"`);
    this.name = 'DeployTokenNotFoundError';
  }
}

export class RefreshTokenNotFoundError extends RegauthError {
  readonly code = 'not_found';
  constructor(readonly id: number, readonly reference: string) {
    super(`deploy token "${reference}" has no refresh token with id ${id}`);
    this.name = 'RefreshTokenNotFoundError';
  }
}

export class InvalidAdminKeyError extends RegauthError {
  readonly code = 'invalid_admin_key';
  constructor() {
    super('a valid admin key is required: Authorization: Bearer <key from regauth admin-keys create>');
    this.name = 'InvalidAdminKeyError';
  }
}

export class AdminKeyNotFoundError extends RegauthError {
  readonly code = 'not_found';
  constructor(readonly id: number) {
    super(`no admin key with id ${id}`);
    this.name = 'AdminKeyNotFoundError';
  }
}

/** The store or the signing key cannot be used right now; nothing may be granted. */
export class ServiceUnavailableError extends RegauthError {
  readonly code = 'unavailable';
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} is unavailable`, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** Too much work queued already: the caller should come back shortly rather than wait here. */
export class OverloadedError extends RegauthError {
  readonly code = 'overloaded';
  readonly retryAfterSeconds = 1;
  constructor(what: string) {
    super(`${what} is busy: try again shortly`);
    this.name = 'OverloadedError';
  }
}

/** Too many failed logins from this address (for this username); nothing is checked until the lock ends. */
export class TooManyAttemptsError extends RegauthError {
  readonly code = 'too_many_attempts';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed attempts: try again in ${retryAfterSeconds} s`);
    this.name = 'TooManyAttemptsError';
  }
}
