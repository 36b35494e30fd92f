import { RegauthError } from '../../core/regauth-error.js';

/** A token request the endpoint cannot read: bad parameters, body, grant type or Authorization header. */
export class TokenRequestError extends RegauthError {
  constructor(
    readonly code: 'invalid_request' | 'unsupported_grant_type' | 'invalid_credentials',
    message: string,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}
