import type { AdminKeys } from './admin-keys.js';
import { InvalidAdminKeyError } from './errors.js';
import type { AdminKeyStore, Clock, LoginAttempt, LoginThrottle, OpaqueTokens } from './ports.js';
import type { UiPrincipal, UiRole, UiSessionRecord, UiSessionStore } from './ui-session-ports.js';
import { failClosed } from './unavailable.js';

export const UI_SESSION_PREFIX = 'regauth_uis_';

export interface UiSessionSettings {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

export interface UiSessionsDeps {
  readonly store: UiSessionStore;
  readonly adminKeys: AdminKeys;
  /** Read on every request: a revoked admin key ends its sessions at once. */
  readonly adminKeyStore: AdminKeyStore;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  readonly throttle: LoginThrottle;
  readonly settings: UiSessionSettings;
}

/** A signed-in person, as the UI's pages see them. */
export interface UiSession {
  readonly role: UiRole;
  /** For the audit log: `admin-key:<name> via ui`, or the SSO subject and email. */
  readonly actor: string;
  readonly displayName: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

export interface StartedUiSession {
  /** The cookie's value; only its digest is stored. */
  readonly sessionId: string;
  readonly session: UiSession;
}

// Failed UI sign-ins (admin key or single sign-on) share one brute-force "username" per address: an admin key has no username.
export const UI_SIGN_IN_SUBJECT = 'ui-sign-in';

/** Server-side web UI sessions: started by a sign-in, ended by sign-out, idleness, their absolute end or a revoked key. */
export class UiSessions {
  private readonly deps: UiSessionsDeps;

  constructor(deps: UiSessionsDeps) {
    this.deps = { ...deps, store: failClosed('store', deps.store), adminKeyStore: failClosed('store', deps.adminKeyStore) };
  }

  /**
   * Signs in with an admin key through the brute-force protection; a session id already held (`replacing`)
   * is ended, so every sign-in gets a new id. Throws InvalidAdminKeyError or TooManyAttemptsError.
   */
  async signInWithAdminKey(key: string, clientIp: string, replacing?: string): Promise<StartedUiSession> {
    const attempt: LoginAttempt = { username: UI_SIGN_IN_SUBJECT, clientIp };
    const allowance = await this.deps.throttle.assertAllowed(attempt);
    let adminKey;
    try {
      adminKey = await this.deps.adminKeys.authenticate(key.trim());
    } catch (error) {
      if (error instanceof InvalidAdminKeyError) await this.deps.throttle.recordFailure(attempt, { hashed: false });
      throw error;
    }
    if (allowance.pendingFailures) await this.deps.throttle.recordSuccess(attempt);
    return this.start({ kind: 'admin-key', adminKeyId: adminKey.id, name: adminKey.name }, replacing);
  }

  /** A session for a principal already authenticated (single sign-on calls this after its callback). */
  async start(principal: UiPrincipal, replacing?: string): Promise<StartedUiSession> {
    if (replacing !== undefined) await this.end(replacing);
    const now = this.deps.clock.now();
    const sessionId = this.deps.tokens.generate(UI_SESSION_PREFIX);
    const record: UiSessionRecord = {
      idHash: this.deps.tokens.digest(sessionId),
      role: principal.kind === 'admin-key' ? 'admin' : principal.role,
      adminKeyId: principal.kind === 'admin-key' ? principal.adminKeyId : null,
      subject: principal.kind === 'sso' ? principal.subject : null,
      email: principal.kind === 'sso' ? principal.email : null,
      displayName: principal.kind === 'admin-key' ? principal.name : (principal.email ?? principal.subject),
      csrfToken: this.deps.tokens.generate('csrf_'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.deps.settings.absoluteSeconds * 1000),
    };
    await this.deps.store.create(record);
    return { sessionId, session: sessionOf(record) };
  }

  /** The live session a cookie names, its idle clock restarted; null (and the row gone) when it has ended. */
  async resume(sessionId: string): Promise<UiSession | null> {
    if (!sessionId.startsWith(UI_SESSION_PREFIX) || sessionId.length > 100) return null;
    const idHash = this.deps.tokens.digest(sessionId);
    const record = await this.deps.store.find(idHash);
    if (record === null) return null;
    const now = this.deps.clock.now();
    const idleEnd = record.lastSeenAt.getTime() + this.deps.settings.idleSeconds * 1000;
    if (now.getTime() >= record.expiresAt.getTime() || now.getTime() >= idleEnd || !(await this.keyStillActive(record))) {
      await this.deps.store.delete(idHash);
      return null;
    }
    await this.deps.store.touch(idHash, now);
    return sessionOf(record);
  }

  async end(sessionId: string): Promise<void> {
    await this.deps.store.delete(this.deps.tokens.digest(sessionId));
  }

  /**
   * Runs `work` once per form key of a session: a repeated submission gets `{ repeated: true }` and the token
   * id the first one made (null while it is still being made, or when it failed).
   */
  async once(
    sessionId: string,
    formKey: string,
    work: () => Promise<number>,
  ): Promise<{ readonly repeated: false; readonly tokenId: number } | { readonly repeated: true; readonly tokenId: number | null }> {
    const idHash = this.deps.tokens.digest(sessionId);
    if (!(await this.deps.store.claimSubmission(idHash, formKey, this.deps.clock.now()))) {
      return { repeated: true, tokenId: await this.deps.store.submissionResult(idHash, formKey) };
    }
    const tokenId = await work();
    await this.deps.store.completeSubmission(idHash, formKey, tokenId);
    return { repeated: false, tokenId };
  }

  /** Deletes ended sessions; returns how many. */
  async prune(): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.store.deleteExpired(now, new Date(now.getTime() - this.deps.settings.idleSeconds * 1000));
  }

  private async keyStillActive(record: UiSessionRecord): Promise<boolean> {
    if (record.adminKeyId === null) return true;
    const key = await this.deps.adminKeyStore.findById(record.adminKeyId);
    return key !== null && key.revokedAt === null;
  }
}

function sessionOf(record: UiSessionRecord): UiSession {
  const actor =
    record.adminKeyId !== null
      ? `admin-key:${record.displayName} via ui`
      : ssoActor(record.subject ?? '', record.email);
  return { role: record.role, actor, displayName: record.displayName, csrfToken: record.csrfToken, expiresAt: record.expiresAt };
}

/** The audit actor of a single sign-on person: `sso:<subject> <<email>> via ui`. */
export function ssoActor(subject: string, email: string | null): string {
  return `sso:${subject}${email === null ? '' : ` <${email}>`} via ui`;
}
