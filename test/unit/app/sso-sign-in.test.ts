import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { ServiceUnavailableError, TooManyAttemptsError } from '../../../src/app/errors.js';
import { SsoSignIn } from '../../../src/app/sso-sign-in.js';
import { SsoCallbackError, SsoNoRoleError } from '../../../src/app/sso-sign-in-errors.js';
import type { OidcRelyingParty, PendingSsoSignIn, PendingSsoSignInStore, SsoFlowSecrets, SsoIdentity } from '../../../src/app/sso-sign-in-ports.js';
import type { UiPrincipal } from '../../../src/app/ui-session-ports.js';
import type { StartedUiSession, UiSessions } from '../../../src/app/ui-sessions.js';
import { InMemoryAuditLog, RecordingLoginThrottle } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const SECRETS: SsoFlowSecrets = { state: 'the-state', nonce: 'the-nonce', codeVerifier: 'the-verifier' };

class MemoryPendingStore implements PendingSsoSignInStore {
  readonly rows = new Map<string, PendingSsoSignIn>();
  async save(pending: PendingSsoSignIn): Promise<void> {
    this.rows.set(pending.idHash, pending);
  }
  async take(idHash: string, now: Date): Promise<PendingSsoSignIn | null> {
    const row = this.rows.get(idHash) ?? null;
    this.rows.delete(idHash);
    return row === null || row.expiresAt <= now ? null : row;
  }
  async deleteExpired(now: Date): Promise<number> {
    const expired = [...this.rows.values()].filter((row) => row.expiresAt <= now);
    for (const row of expired) this.rows.delete(row.idHash);
    return expired.length;
  }
}

class ScriptedRelyingParty implements OidcRelyingParty {
  outcome: SsoIdentity | Error = { subject: 'u-1', email: 'ada@example.com', claims: { groups: ['admins'] } };
  readonly finished: [string, SsoFlowSecrets][] = [];
  async begin() {
    return { authorizationUrl: 'https://idp.example/authorize?state=the-state', secrets: SECRETS };
  }
  async finish(query: string, secrets: SsoFlowSecrets): Promise<SsoIdentity> {
    this.finished.push([query, secrets]);
    if (this.outcome instanceof Error) throw this.outcome;
    return this.outcome;
  }
}

describe('SsoSignIn', () => {
  let clock: ManualClock;
  let pending: MemoryPendingStore;
  let relyingParty: ScriptedRelyingParty;
  let throttle: RecordingLoginThrottle;
  let auditLog: InMemoryAuditLog;
  let started: [UiPrincipal, string | undefined][];
  let audit: AuditTrail;
  let signIn: SsoSignIn;

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
    pending = new MemoryPendingStore();
    relyingParty = new ScriptedRelyingParty();
    throttle = new RecordingLoginThrottle();
    throttle.pendingFailures = false;
    auditLog = new InMemoryAuditLog();
    started = [];
    const sessions = {
      start: async (principal: UiPrincipal, replacing?: string): Promise<StartedUiSession> => {
        started.push([principal, replacing]);
        const actor = principal.kind === 'sso' ? `sso:${principal.subject}${principal.email === null ? '' : ` <${principal.email}>`} via ui` : 'other';
        return { sessionId: 'regauth_uis_x', session: { role: 'admin', actor, displayName: 'x', csrfToken: 'c', expiresAt: clock.now() } };
      },
    } as unknown as UiSessions;
    audit = new AuditTrail(auditLog, new RecordingLogger(), [], { durability: 'batched', groupCommitMs: 0, maxBatch: 10 });
    signIn = new SsoSignIn({
      relyingParty,
      pending,
      sessions,
      tokens: randomOpaqueTokens,
      clock,
      throttle,
      audit,
      rules: { groupsClaim: 'groups', adminGroups: ['admins'], viewerGroups: ['viewers'] },
    });
  });

  const finish = (flowId: string | null, replacing?: string) =>
    signIn.finish({ flowId, query: '?code=c&state=the-state', clientIp: '192.0.2.7', ...(replacing === undefined ? {} : { replacing }) });

  test('begin keeps the secrets server-side under the digest of a new flow id, for ten minutes', async () => {
    const { authorizationUrl, flowId } = await signIn.begin();
    expect(authorizationUrl).toBe('https://idp.example/authorize?state=the-state');
    expect(flowId).toMatch(/^regauth_sso_[A-Za-z0-9_-]{43}$/);
    expect([...pending.rows.values()]).toEqual([
      { idHash: randomOpaqueTokens.digest(flowId), ...SECRETS, expiresAt: new Date('2026-06-01T10:10:00Z') },
    ]);
  });

  test('begin sweeps flows nobody came back for', async () => {
    await signIn.begin();
    clock.advance(600_000);
    await signIn.begin();
    expect(pending.rows.size).toBe(1);
  });

  test('finish hands the stored secrets to the relying party and starts a session with the role, replacing the old one', async () => {
    const { flowId } = await signIn.begin();
    await finish(flowId, 'regauth_uis_old');
    expect(relyingParty.finished).toEqual([['?code=c&state=the-state', SECRETS]]);
    expect(started).toEqual([[{ kind: 'sso', subject: 'u-1', email: 'ada@example.com', role: 'admin' }, 'regauth_uis_old']]);
  });

  test('a flow is used once: the second callback is refused and counted as a failed sign-in', async () => {
    const { flowId } = await signIn.begin();
    await finish(flowId);
    await expect(finish(flowId)).rejects.toThrow(SsoCallbackError);
    expect(throttle.calls.filter(([method]) => method === 'recordFailure')).toEqual([['recordFailure', { username: 'ui-sign-in', clientIp: '192.0.2.7' }, false]]);
  });

  test('no flow cookie, a foreign one, or an expired flow is refused before the provider is asked', async () => {
    await expect(finish(null)).rejects.toThrow('this browser did not start a sign-in here');
    await expect(finish('regauth_admin_not-a-flow')).rejects.toThrow(SsoCallbackError);
    const { flowId } = await signIn.begin();
    clock.advance(600_000);
    await expect(finish(flowId)).rejects.toThrow('this sign-in has already been used or has expired');
    expect(relyingParty.finished).toEqual([]);
    expect(throttle.calls.filter(([method]) => method === 'recordFailure')).toHaveLength(3);
  });

  test('a viewer group gives the viewer role; no group refuses with SsoNoRoleError, audited with who it was', async () => {
    relyingParty.outcome = { subject: 'u-2', email: null, claims: { groups: ['viewers'] } };
    await finish((await signIn.begin()).flowId);
    expect(started.at(-1)?.[0]).toEqual({ kind: 'sso', subject: 'u-2', email: null, role: 'viewer' });

    relyingParty.outcome = { subject: 'u-3', email: 'nemo@example.com', claims: { groups: ['everyone'] } };
    await expect(finish((await signIn.begin()).flowId)).rejects.toThrow(SsoNoRoleError);
    await audit.flush();
    expect(auditLog.events.map((event) => [event.event, event.actor, event.clientIp, event.details.reason])).toEqual([
      ['sso.signed_in', 'sso:u-2 via ui', '192.0.2.7', undefined],
      ['sso.refused', 'sso:u-3 <nemo@example.com> via ui', '192.0.2.7', 'sso_no_role'],
    ]);
  });

  test('a provider that is down is not a failed sign-in', async () => {
    relyingParty.outcome = new ServiceUnavailableError('the identity provider');
    await expect(finish((await signIn.begin()).flowId)).rejects.toThrow(ServiceUnavailableError);
    expect(throttle.calls.filter(([method]) => method === 'recordFailure')).toEqual([]);
  });

  test('a locked-out address is refused before its flow is taken', async () => {
    const { flowId } = await signIn.begin();
    throttle.lockedFor = 60;
    await expect(finish(flowId)).rejects.toThrow(TooManyAttemptsError);
    expect(pending.rows.size).toBe(1);
  });

  test('a success after failures clears them', async () => {
    throttle.pendingFailures = true;
    await finish((await signIn.begin()).flowId);
    expect(throttle.calls.map(([method]) => method)).toEqual(['assertAllowed', 'recordSuccess']);
  });
});
