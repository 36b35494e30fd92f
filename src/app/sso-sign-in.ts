import { groupsOf, ssoRoleOf, type SsoRoleRules } from '../core/sso-role.js';
import type { AuditTrail } from './audit-trail.js';
import { SsoCallbackError, SsoNoRoleError } from './sso-sign-in-errors.js';
import type { OidcRelyingParty, PendingSsoSignInStore } from './sso-sign-in-ports.js';
import type { Clock, LoginAttempt, LoginThrottle, OpaqueTokens } from './ports.js';
import { ssoActor, UI_SIGN_IN_SUBJECT, type StartedUiSession, type UiSessions } from './ui-sessions.js';
import { failClosed } from './unavailable.js';

export const SSO_FLOW_PREFIX = 'regauth_sso_';
/** How long a person may take at the identity provider before the sign-in must be started again. */
export const SSO_FLOW_SECONDS = 600;

export interface SsoSignInDeps {
  readonly relyingParty: OidcRelyingParty;
  readonly pending: PendingSsoSignInStore;
  readonly sessions: UiSessions;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  readonly throttle: LoginThrottle;
  readonly audit: AuditTrail;
  readonly rules: SsoRoleRules;
}

export interface SsoCallback {
  /** The flow id from the browser's cookie; null when it sent none. */
  readonly flowId: string | null;
  /** The callback's query string, `?` included. */
  readonly query: string;
  readonly clientIp: string;
  /** A session id the browser already holds: ended, so every sign-in gets a new one. */
  readonly replacing?: string;
}

/**
 * Single sign-on for the web UI: sends a person to the identity provider and, on their return, maps their
 * groups to a role and starts a UI session. Refused returns count as failed sign-ins for the brute-force
 * protection, beside admin-key sign-ins from the same address.
 */
export class SsoSignIn {
  private readonly deps: SsoSignInDeps;

  constructor(deps: SsoSignInDeps) {
    this.deps = { ...deps, pending: failClosed('store', deps.pending) };
  }

  /** The provider's authorization URL, and the flow id the browser keeps until it comes back. */
  async begin(): Promise<{ readonly authorizationUrl: string; readonly flowId: string }> {
    const { authorizationUrl, secrets } = await this.deps.relyingParty.begin();
    const flowId = this.deps.tokens.generate(SSO_FLOW_PREFIX);
    const now = this.deps.clock.now();
    // Anyone may start a sign-in, so abandoned ones are swept here rather than left to pile up.
    await this.deps.pending.deleteExpired(now);
    await this.deps.pending.save({ idHash: this.deps.tokens.digest(flowId), ...secrets, expiresAt: new Date(now.getTime() + SSO_FLOW_SECONDS * 1000) });
    return { authorizationUrl, flowId };
  }

  /** Throws SsoCallbackError, SsoNoRoleError or TooManyAttemptsError; ServiceUnavailableError when the provider is down. */
  async finish(callback: SsoCallback): Promise<StartedUiSession> {
    const attempt: LoginAttempt = { username: UI_SIGN_IN_SUBJECT, clientIp: callback.clientIp };
    const allowance = await this.deps.throttle.assertAllowed(attempt);
    try {
      const { state, nonce, codeVerifier } = await this.takePending(callback.flowId);
      const identity = await this.deps.relyingParty.finish(callback.query, { state, nonce, codeVerifier });
      const role = ssoRoleOf(groupsOf(identity.claims, this.deps.rules.groupsClaim), this.deps.rules);
      if (role === null) throw new SsoNoRoleError(identity.subject, identity.email);
      if (allowance.pendingFailures) await this.deps.throttle.recordSuccess(attempt);
      const started = await this.deps.sessions.start({ kind: 'sso', subject: identity.subject, email: identity.email, role }, callback.replacing);
      this.audit('sso.signed_in', started.session.actor, callback.clientIp, { role });
      return started;
    } catch (error) {
      if (error instanceof SsoCallbackError || error instanceof SsoNoRoleError) {
        await this.deps.throttle.recordFailure(attempt, { hashed: false });
        const actor = error instanceof SsoNoRoleError ? ssoActor(error.subject, error.email) : null;
        this.audit('sso.refused', actor, callback.clientIp, { reason: error.code, message: error.message });
      }
      throw error;
    }
  }

  private async takePending(flowId: string | null) {
    if (flowId === null || !flowId.startsWith(SSO_FLOW_PREFIX) || flowId.length > 100) {
      throw new SsoCallbackError('this browser did not start a sign-in here (its sign-in cookie is missing)');
    }
    const pending = await this.deps.pending.take(this.deps.tokens.digest(flowId), this.deps.clock.now());
    if (pending === null) throw new SsoCallbackError('this sign-in has already been used or has expired');
    return pending;
  }

  private audit(event: 'sso.signed_in' | 'sso.refused', actor: string | null, clientIp: string, details: Record<string, unknown>): void {
    this.deps.audit.record({ occurredAt: this.deps.clock.now(), event, actor, deployTokenId: null, username: null, clientIp, details });
  }
}
