export type UiRole = 'admin' | 'viewer';

/** Who signed in to the web UI: with an admin key, or (single sign-on) as an identity provider's subject. */
export type UiPrincipal =
  | { readonly kind: 'admin-key'; readonly adminKeyId: number; readonly name: string }
  | { readonly kind: 'sso'; readonly subject: string; readonly email: string | null; readonly role: UiRole };

export interface UiSessionRecord {
  readonly idHash: string;
  readonly role: UiRole;
  readonly adminKeyId: number | null;
  readonly subject: string | null;
  readonly email: string | null;
  readonly displayName: string;
  /** The synchronizer token every form of the session carries. */
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** The absolute end, whatever the activity. */
  readonly expiresAt: Date;
}

/** Web UI sessions, kept as a SHA-256 of the session id. */
export interface UiSessionStore {
  create(session: UiSessionRecord): Promise<void>;
  find(idHash: string): Promise<UiSessionRecord | null>;
  touch(idHash: string, at: Date): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** True for the first submission of this form key in the session; false when it was claimed before. */
  claimSubmission(idHash: string, key: string, at: Date): Promise<boolean>;
  completeSubmission(idHash: string, key: string, deployTokenId: number): Promise<void>;
  /** The token a claimed submission made; null while it is being made or when it failed. */
  submissionResult(idHash: string, key: string): Promise<number | null>;
  /** Deletes sessions past their absolute end or idle since before `idleSince`; returns how many. */
  deleteExpired(now: Date, idleSince: Date): Promise<number>;
}
