import type { TrustPolicy, FailedCondition } from '../../core/federation/trust-policy.js';
import { claimsSnapshot } from '../../core/federation/claims-snapshot.js';
import { evaluateTrustPolicy } from '../../core/federation/claim-conditions.js';
import { forkTriggerRefusal } from '../../core/federation/fork-triggers.js';
import { RegauthError } from '../../core/regauth-error.js';
import type { AuditTrail } from '../audit-trail.js';
import type { Clock } from '../ports.js';
import { unavailableOnFailure } from '../unavailable.js';
import { IdentityTokenError } from './federation-errors.js';
import type { IdentityTokenVerifier, TrustPolicyStore, VerifiedIdentityToken } from './federation-ports.js';
import type { FederatedCredentials, MintedCredential } from './federated-credentials.js';

export interface ExchangeRequest {
  /** The compact JWT the job or pod holds. */
  readonly identityToken: string;
  /** Picks one of the issuer's policies by name; without it, the first that matches (in id order). */
  readonly policyName?: string | null;
  /** Also mint a refresh token bound to the credential (docker login with the JWT as password). */
  readonly offline?: boolean;
  readonly clientIp?: string | null;
}

export interface ExchangedCredential extends MintedCredential {
  readonly policy: TrustPolicy;
  /** Whole seconds the credential has left. */
  readonly expiresInSeconds: number;
}

export interface IdentityTokenExchangeDeps {
  readonly verifier: IdentityTokenVerifier;
  readonly policies: TrustPolicyStore;
  readonly credentials: FederatedCredentials;
  readonly audit: AuditTrail;
  readonly clock: Clock;
}

/** Most policies to name in a refusal's audit event, with the condition each failed. */
const MAX_REPORTED_POLICIES = 8;

/**
 * Trades a verified identity token for a short-lived registry credential, as the issuer's trust policies
 * allow (FEDERATION.md steps 6–9; the verifier did 1–5). A refusal tells the client a stable code and puts
 * what failed in a `federation.refused` audit event.
 */
export class IdentityTokenExchange {
  constructor(private readonly deps: IdentityTokenExchangeDeps) {}

  async exchange(request: ExchangeRequest): Promise<ExchangedCredential> {
    let verified: VerifiedIdentityToken | null = null;
    try {
      verified = await this.deps.verifier.verify(request.identityToken);
      const policy = await this.matchingPolicy(verified, request.policyName ?? null);
      const minted = await this.deps.credentials.mint({
        verified,
        policy,
        claims: claimsSnapshot(verified.issuer.kind, verified.claims),
        offline: request.offline === true,
        clientIp: request.clientIp ?? null,
      });
      const now = this.deps.clock.now();
      await unavailableOnFailure('store', () => this.deps.policies.markUsed(policy.id, now));
      return { ...minted, policy, expiresInSeconds: Math.max(0, Math.floor((minted.expiresAt.getTime() - now.getTime()) / 1000)) };
    } catch (error) {
      if (error instanceof RegauthError && error.code !== 'unavailable') this.recordRefusal(error, verified, request);
      throw error;
    }
  }

  private async matchingPolicy(verified: VerifiedIdentityToken, policyName: string | null): Promise<TrustPolicy> {
    const now = this.deps.clock.now();
    const all = await unavailableOnFailure('store', () => this.deps.policies.listForIssuer(verified.issuer.id));
    const candidates = policyName === null ? all : all.filter((policy) => policy.name === policyName);
    const failures: { policy: string; failed: FailedCondition | string }[] = [];
    for (const policy of candidates) {
      const match = evaluateTrustPolicy(policy, verified.claims, now);
      if (!match.matched) {
        failures.push({ policy: policy.name, failed: match.failed });
        continue;
      }
      const forkRefusal = forkTriggerRefusal(verified.issuer, policy, verified.claims);
      if (forkRefusal !== null) {
        failures.push({ policy: policy.name, failed: forkRefusal });
        continue;
      }
      return policy;
    }
    throw new IdentityTokenError('no_matching_policy', {
      ...(policyName === null ? {} : { requestedPolicy: policyName.slice(0, 128) }),
      policiesTried: candidates.length,
      failures: failures.slice(0, MAX_REPORTED_POLICIES),
    });
  }

  private recordRefusal(error: RegauthError, verified: VerifiedIdentityToken | null, request: ExchangeRequest): void {
    const detail = error instanceof IdentityTokenError ? error.detail : {};
    this.deps.audit.record({
      occurredAt: this.deps.clock.now(),
      event: 'federation.refused',
      actor: verified === null ? null : `oidc:${verified.issuer.name}`,
      deployTokenId: null,
      username: null,
      clientIp: request.clientIp ?? null,
      details: {
        reason: error.code,
        ...(verified === null
          ? {}
          : { issuer: verified.issuer.name, subject: verified.subject, jti: verified.jwtId, claims: claimsSnapshot(verified.issuer.kind, verified.claims) }),
        detail,
      },
    });
  }
}
