/** What a relying party must remember between sending a person to the identity provider and their return. */
export interface SsoFlowSecrets {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** Who the identity provider says signed in, with every claim of the ID token and the userinfo answer. */
export interface SsoIdentity {
  readonly subject: string;
  readonly email: string | null;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The OpenID Connect authorization code flow with PKCE, state and nonce (openid-client). `finish` throws
 * SsoCallbackError for a callback that does not complete the flow (wrong state, an error answer, a code the
 * provider refuses, a bad ID token), and ServiceUnavailableError when the provider cannot be reached.
 */
export interface OidcRelyingParty {
  /** Where to send the browser, and the secrets its return must match. */
  begin(): Promise<{ readonly authorizationUrl: string; readonly secrets: SsoFlowSecrets }>;
  /** `callbackQuery` is the callback's query string, `?` included. */
  finish(callbackQuery: string, secrets: SsoFlowSecrets): Promise<SsoIdentity>;
}

export interface PendingSsoSignIn extends SsoFlowSecrets {
  /** SHA-256 of the flow id the browser's cookie holds. */
  readonly idHash: string;
  readonly expiresAt: Date;
}

/** Sign-ins sent to the identity provider and not back yet; each is taken once, so a callback cannot be replayed. */
export interface PendingSsoSignInStore {
  save(pending: PendingSsoSignIn): Promise<void>;
  /** Deletes and returns the pending sign-in, or null when it is unknown, already taken or past `now`. */
  take(idHash: string, now: Date): Promise<PendingSsoSignIn | null>;
  /** Deletes those past their end; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}
