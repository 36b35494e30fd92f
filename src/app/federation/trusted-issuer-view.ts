import type { IssuerKind, KeySource, ReplayMode, TrustedIssuer } from '../../core/federation/trusted-issuer.js';

/** A trusted issuer as operators see it (nothing in it is secret: inline key sets hold public keys). */
export interface TrustedIssuerView {
  readonly id: number;
  readonly name: string;
  readonly kind: IssuerKind;
  readonly issuerUrl: string;
  readonly audience: string;
  readonly keySource: KeySource;
  readonly algorithms: readonly string[];
  readonly leewaySeconds: number;
  readonly maxTokenAgeSeconds: number | null;
  readonly replayMode: ReplayMode;
  readonly multiTenant: boolean;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string | null;
}

export function trustedIssuerViewOf(issuer: TrustedIssuer): TrustedIssuerView {
  return { ...issuer, createdAt: issuer.createdAt.toISOString(), updatedAt: issuer.updatedAt?.toISOString() ?? null };
}
