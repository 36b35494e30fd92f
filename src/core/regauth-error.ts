/** Base of every error this service raises on purpose; `code` is stable and safe to switch on. */
export abstract class RegauthError extends Error {
  abstract readonly code: string;
}
