import { RegauthError } from '../core/regauth-error.js';

/** A callback that does not complete a sign-in this browser started: no or unknown flow, wrong state, a refused code. */
export class SsoCallbackError extends RegauthError {
  readonly code = 'sso_callback_invalid';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoCallbackError';
  }
}

/** The identity provider vouched for the person, but none of their groups gives a role in regauth. */
export class SsoNoRoleError extends RegauthError {
  readonly code = 'sso_no_role';
  constructor(readonly subject: string, readonly email: string | null) {
    super('you are in none of the groups that may use regauth');
    this.name = 'SsoNoRoleError';
  }
}
