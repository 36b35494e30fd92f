import { RegauthError } from './regauth-error.js';

/** Longest username; anything longer cannot exist in the store and is refused before a lookup. */
export const MAX_USERNAME_LENGTH = 64;

const USERNAME = new RegExp(`^[a-z0-9._+-]{1,${MAX_USERNAME_LENGTH}}$`);
const GENERATED_USERNAME = /^deploy-token-[0-9]+$/;

/** True for any text a deploy token's username could be; anything else cannot exist in the store. */
export function isPossibleUsername(text: string): boolean {
  return text.length <= MAX_USERNAME_LENGTH && USERNAME.test(text);
}

export class UsernameError extends RegauthError {
  readonly code = 'invalid_username';

  constructor(
    readonly username: string,
    reason: string,
  ) {
    super(`invalid username "${username}": ${reason}`);
    this.name = 'UsernameError';
  }
}

/**
 * Checks a username chosen by an operator. Shell- and URL-safe characters only (a `$` in robot names
 * broke shells for Harbor users); the `deploy-token-<n>` form is kept for generated names so a chosen
 * name can never collide with a future generated one.
 */
export function parseChosenUsername(text: string): string {
  if (!isPossibleUsername(text)) throw new UsernameError(text, `use 1 to ${MAX_USERNAME_LENGTH} characters of a-z 0-9 . _ + -`);
  if (GENERATED_USERNAME.test(text)) throw new UsernameError(text, 'deploy-token-<number> is reserved for generated names');
  return text;
}

/** Usernames the store generates are this prefix followed by the token's id. */
export const GENERATED_USERNAME_PREFIX = 'deploy-token-';
