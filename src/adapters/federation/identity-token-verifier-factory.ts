import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { IdentityTokenVerifier, TrustedIssuerStore } from '../../app/federation/federation-ports.js';
import { JwtIdentityTokenVerifier } from '../../app/federation/jwt-identity-token-verifier.js';
import type { Clock } from '../../app/ports.js';
import { CachedKeySets, DEFAULT_KEY_SET_REFRESH_COOLDOWN_SECONDS, type KeySetFetchObserver } from './cached-key-sets.js';
import { KeySetFetcher } from './key-set-fetcher.js';

export interface IdentityTokenVerifierSettings {
  readonly issuers: Pick<TrustedIssuerStore, 'findByIssuerUrl'>;
  readonly clock: Clock;
  /** `federation.allowInsecureLoopbackIssuers`: plain http to loopback issuers, for tests only. */
  readonly allowInsecureLoopback?: boolean;
  /** `federation.keySetRefreshCooldownSeconds`. */
  readonly cooldownSeconds?: number;
  readonly observer?: KeySetFetchObserver;
  /** Tests route production issuer host names to loopback through these. */
  readonly httpsAgent?: HttpsAgent;
  readonly httpAgent?: HttpAgent;
}

/** The verifier the composition root serves: issuer lookups in the store, key sets fetched and cached. */
export function createIdentityTokenVerifier(settings: IdentityTokenVerifierSettings): IdentityTokenVerifier {
  const fetcher = new KeySetFetcher({
    allowInsecureLoopbackIssuers: settings.allowInsecureLoopback ?? false,
    ...(settings.httpsAgent === undefined ? {} : { httpsAgent: settings.httpsAgent }),
    ...(settings.httpAgent === undefined ? {} : { httpAgent: settings.httpAgent }),
  });
  const keySets = new CachedKeySets({
    fetcher,
    clock: settings.clock,
    refreshCooldownSeconds: settings.cooldownSeconds ?? DEFAULT_KEY_SET_REFRESH_COOLDOWN_SECONDS,
    ...(settings.observer === undefined ? {} : { observer: settings.observer }),
  });
  return new JwtIdentityTokenVerifier({ issuers: settings.issuers, keySets, clock: settings.clock });
}
