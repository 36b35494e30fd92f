import { escapeControlCharacters } from './control-characters.js';
import { looksLikeSecret } from './secret-text.js';
import { MAX_USERNAME_LENGTH } from './username.js';

/** Stored instead of a username that holds a secret: the log masks the same text. */
export const REDACTED_SECRET = '[redacted secret]';

/**
 * A username a client claimed, as the audit trail keeps it. A secret typed into the username field
 * becomes a marker, checked on the whole text (a JWT cut short no longer looks like one). Anything else is
 * cut to the longest possible username and its control characters escaped, so it reads the same anywhere.
 */
export function auditedUsername(claimed: string | null): string | null {
  if (claimed === null) return null;
  if (looksLikeSecret(claimed)) return REDACTED_SECRET;
  // Cut twice: in code units first, so Array.from never walks a long text; then in code points, so no pair is split.
  const bounded = Array.from(claimed.slice(0, 2 * MAX_USERNAME_LENGTH)).slice(0, MAX_USERNAME_LENGTH).join('');
  return escapeControlCharacters(bounded);
}

/** A client id (`docker`, `containerd-client`) as the audit trail and the refresh-token list keep it: a client chose it too. */
export function auditedClientId(clientId: string): string {
  return auditedUsername(clientId) as string;
}
