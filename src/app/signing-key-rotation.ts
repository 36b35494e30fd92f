import type { AuditTrail } from './audit-trail.js';
import type { Actor } from './deploy-token-admin.js';
import type { Clock } from './ports.js';

/** The part of a new signing key the audit log keeps: public identifiers, never key material. */
export interface RotatedSigningKey {
  readonly keyId: string;
  readonly thumbprint: string;
  readonly algorithm: string;
  readonly activatesAt: Date;
}

/** Adds a key that signs from `now + delayMs` and publishes it to the registries' files. */
export interface SigningKeyRotator {
  rotate(delayMs: number): Promise<RotatedSigningKey>;
}

export interface SigningKeyRotationDeps {
  readonly rotator: SigningKeyRotator;
  readonly audit: AuditTrail;
  readonly clock: Clock;
}

/** A rotation asked for by a person (the web UI): the new key, and a `key.rotated` event naming who asked. */
export class SigningKeyRotation {
  constructor(private readonly deps: SigningKeyRotationDeps) {}

  async rotate(delayMs: number, by: Actor): Promise<RotatedSigningKey> {
    const key = await this.deps.rotator.rotate(delayMs);
    await this.deps.audit.recordDurably({
      occurredAt: this.deps.clock.now(),
      event: 'key.rotated',
      actor: by.actor,
      deployTokenId: null,
      username: null,
      clientIp: by.clientIp ?? null,
      details: { keyId: key.keyId, thumbprint: key.thumbprint, algorithm: key.algorithm, activatesAt: key.activatesAt.toISOString() },
    });
    return key;
  }
}
