import { AuditTrail, type AuditTrailSettings } from '../../../src/app/audit-trail.js';
import { DeployTokenAuthenticator } from '../../../src/app/deploy-token-authenticator.js';
import { DeployTokenUseRecorder } from '../../../src/app/deploy-token-use-recorder.js';
import { OverloadedError, ServiceUnavailableError } from '../../../src/app/errors.js';
import type { AuditEvent, RegistryTokenSigner } from '../../../src/app/ports.js';
import { RefreshTokens } from '../../../src/app/refresh-tokens.js';
import { RegistryTokenIssuer, type RegistryTokenRequest } from '../../../src/app/registry-token-issuer.js';
import { randomOpaqueTokens as opaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import {
  InMemoryAuditLog,
  InMemoryDeployTokenStore,
  InMemoryRefreshTokenStore,
  RecordingLoginThrottle,
  TransparentHasher,
} from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

/** An audit log whose writes the test completes by hand. */
class HeldAuditLog extends InMemoryAuditLog {
  readonly writes: { events: readonly AuditEvent[]; commit: () => void; fail: (error: Error) => void }[] = [];

  override record(events: readonly AuditEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({
        events,
        commit: () => void super.record(events).then(resolve),
        fail: reject,
      });
    });
  }
}

const signer: RegistryTokenSigner = { keyId: 'TEST', sign: async (claims) => JSON.stringify(claims) };
const anonymous = (clientIp: string): RegistryTokenRequest => ({
  credentials: null,
  account: null,
  service: 'registry',
  scopeParameters: ['repository:public/app:pull'],
  clientIp,
});
/** Lets pending promise callbacks and due zero-delay timers run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

function issuerOver(auditLog: InMemoryAuditLog, settings: AuditTrailSettings, logger = new RecordingLogger()) {
  const store = new InMemoryDeployTokenStore();
  const clock = new ManualClock(T0);
  let jti = 0;
  const audit = new AuditTrail(auditLog, logger, [], settings);
  const issuer = new RegistryTokenIssuer({
    authenticator: new DeployTokenAuthenticator({ store, hasher: new TransparentHasher(), clock }),
    refreshTokens: new RefreshTokens({ store: new InMemoryRefreshTokenStore(store), tokens: opaqueTokens, clock, idleExpirySeconds: 90 * 86_400 }),
    signer,
    clock,
    jwtIds: { next: () => `jti-${(jti += 1)}` },
    audit,
    uses: new DeployTokenUseRecorder(store, logger),
    throttle: new RecordingLoginThrottle(),
    settings: { issuer: 'regauth', service: 'registry', lifetimeSeconds: 900, maxLifetimeSeconds: 3600, publicRepositories: ['public/**'] },
  });
  return { issuer, audit, logger };
}

describe('RegistryTokenIssuer with a durable audit log', () => {
  const durable: AuditTrailSettings = { durability: 'durable', groupCommitMs: 0, maxBatch: 100 };

  test('answers only once the token.issued record is committed; concurrent requests share one write', async () => {
    const auditLog = new HeldAuditLog();
    const { issuer } = issuerOver(auditLog, durable);
    let answered = 0;
    const requests = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((ip) => issuer.issue(anonymous(ip)).then(() => (answered += 1)));
    await settle();
    expect(auditLog.writes.map((write) => write.events.map((event) => event.clientIp))).toEqual([['10.0.0.1', '10.0.0.2', '10.0.0.3']]);
    expect(answered).toBe(0);
    auditLog.writes[0]?.commit();
    await Promise.all(requests);
    expect(auditLog.events.map((event) => event.details.jti)).toEqual(['jti-1', 'jti-2', 'jti-3']);
  });

  test('a failed audit write fails every request of that write with ServiceUnavailableError, and logs no audit line', async () => {
    const auditLog = new HeldAuditLog();
    const { issuer, logger } = issuerOver(auditLog, durable);
    const requests = ['10.0.0.1', '10.0.0.2'].map((ip) => issuer.issue(anonymous(ip)));
    await settle();
    auditLog.writes[0]?.fail(new Error('connection refused'));
    for (const outcome of await Promise.allSettled(requests)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(ServiceUnavailableError) });
    }
    expect(logger.records.filter((record) => record.message === 'audit')).toEqual([]);
    expect(logger.records.filter((record) => record.message === 'could not write audit events')).toHaveLength(1);
  });

  test('past the waiting bound a request fails at once with OverloadedError, and is not queued', async () => {
    const auditLog = new HeldAuditLog();
    // maxBatch 1: 8 events (one being written, seven waiting) fill it.
    const { issuer } = issuerOver(auditLog, { durability: 'durable', groupCommitMs: 0, maxBatch: 1 });
    const held = Array.from({ length: 8 }, (_, index) => issuer.issue(anonymous(`10.0.0.${index}`)));
    await settle();
    await expect(issuer.issue(anonymous('10.0.1.1'))).rejects.toBeInstanceOf(OverloadedError);
    for (let write = 0; write < 8; write += 1) {
      auditLog.writes[write]?.commit();
      await settle();
    }
    await Promise.all(held);
    expect(auditLog.events).toHaveLength(8);
    expect(auditLog.events.map((event) => event.clientIp)).not.toContain('10.0.1.1');
  });

  test('batched: answers without waiting for the write, which the next flush makes', async () => {
    const auditLog = new HeldAuditLog();
    const { issuer, audit } = issuerOver(auditLog, { durability: 'batched', groupCommitMs: 3, maxBatch: 256 });
    await issuer.issue(anonymous('10.0.0.1'));
    expect(auditLog.writes).toEqual([]);
    const flushed = audit.flush();
    await settle();
    auditLog.writes[0]?.commit();
    await flushed;
    expect(auditLog.events.map((event) => event.event)).toEqual(['token.issued']);
  });
});
