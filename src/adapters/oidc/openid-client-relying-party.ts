import * as oidc from 'openid-client';
import { ServiceUnavailableError } from '../../app/errors.js';
import { SsoCallbackError } from '../../app/sso-sign-in-errors.js';
import type { OidcRelyingParty, SsoFlowSecrets, SsoIdentity } from '../../app/sso-sign-in-ports.js';

export interface OidcRelyingPartySettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Null: a public client (PKCE only, no client authentication). */
  readonly clientSecret: string | null;
  /** `<public URL>/ui/sign-in/oidc/callback`, as registered at the provider. */
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  /** Plain http to a loopback issuer, for tests against a provider on this machine. */
  readonly allowInsecureLoopbackIssuer: boolean;
}

const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * The authorization code flow with PKCE (S256), state and nonce, through openid-client. Discovery runs at the
 * first sign-in rather than at start, so a provider that is down does not stop regauth; a failed discovery is
 * tried again at the next one.
 */
export function openidClientRelyingParty(settings: OidcRelyingPartySettings): OidcRelyingParty {
  let discovered: Promise<oidc.Configuration> | null = null;
  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= discover(settings).catch((error: unknown) => {
      discovered = null;
      throw new ServiceUnavailableError('the identity provider', { cause: error });
    });
    return discovered;
  };

  return {
    async begin() {
      const config = await configuration();
      const secrets: SsoFlowSecrets = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes.join(' '),
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
        code_challenge_method: 'S256',
        state: secrets.state,
        nonce: secrets.nonce,
      });
      return { authorizationUrl: authorizationUrl.href, secrets };
    },

    async finish(callbackQuery, secrets) {
      const config = await configuration();
      try {
        // The configured redirect URI, not the request's Host header: behind a proxy the two differ.
        const tokens = await oidc.authorizationCodeGrant(config, new URL(`${settings.redirectUri}${callbackQuery}`), {
          pkceCodeVerifier: secrets.codeVerifier,
          expectedState: secrets.state,
          expectedNonce: secrets.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (idToken === undefined) throw new SsoCallbackError('the identity provider sent no ID token');
        // Many providers put groups and email only in the userinfo answer of the code flow.
        const userInfo = config.serverMetadata().userinfo_endpoint === undefined ? {} : await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
        return identityOf({ ...userInfo, ...idToken });
      } catch (error) {
        throw describeFailure(error);
      }
    },
  };
}

async function discover(settings: OidcRelyingPartySettings): Promise<oidc.Configuration> {
  const authentication = settings.clientSecret === null ? oidc.None() : oidc.ClientSecretPost(settings.clientSecret);
  const insecure = settings.allowInsecureLoopbackIssuer && new URL(settings.issuer).protocol === 'http:';
  return oidc.discovery(new URL(settings.issuer), settings.clientId, undefined, authentication, {
    timeout: PROVIDER_TIMEOUT_SECONDS,
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
}

function identityOf(claims: Readonly<Record<string, unknown>>): SsoIdentity {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw new SsoCallbackError('the identity provider named no subject');
  const email = typeof claims.email === 'string' && claims.email !== '' ? claims.email : null;
  return { subject, email, claims };
}

/** A provider that cannot be reached or fails is "unavailable"; anything else means this callback is not valid. */
function describeFailure(error: unknown): Error {
  if (error instanceof SsoCallbackError || error instanceof ServiceUnavailableError) return error;
  if (isUnreachable(error)) return new ServiceUnavailableError('the identity provider', { cause: error });
  if (error instanceof oidc.AuthorizationResponseError) {
    // The provider's words, cut short: they arrive in the callback's query, which anyone can write.
    const description = error.error_description === undefined ? '' : `: ${error.error_description.slice(0, 200)}`;
    return new SsoCallbackError(`the identity provider answered ${error.error.slice(0, 60)}${description}`, { cause: error });
  }
  if (error instanceof oidc.ResponseBodyError) return new SsoCallbackError(`the identity provider refused the sign-in (${error.error.slice(0, 60)})`, { cause: error });
  return new SsoCallbackError('the identity provider\'s answer did not complete this sign-in', { cause: error });
}

function isUnreachable(error: unknown): boolean {
  if (error instanceof oidc.ResponseBodyError) return error.status >= 500;
  if (error instanceof oidc.ClientError) return error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON';
  const name = (error as { name?: unknown } | null)?.name;
  return (error instanceof TypeError && error.message === 'fetch failed') || name === 'TimeoutError' || name === 'AbortError';
}
