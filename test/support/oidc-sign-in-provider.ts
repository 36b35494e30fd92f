import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** A person the provider knows: `login` is what its sign-in form takes (any password is accepted). */
export interface ProviderAccount {
  readonly login: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface OidcSignInProviderOptions {
  readonly accounts: readonly ProviderAccount[];
  readonly clientId: string;
  readonly clientSecret: string;
  /** The relying party's callback, registered as the client's only redirect URI. */
  readonly redirectUri: string;
}

export interface OidcSignInProvider {
  /** `http://127.0.0.1:<port>`: the issuer and the base of every endpoint. */
  readonly issuer: string;
  close(): Promise<void>;
}

/**
 * A real, certified OpenID provider (`oidc-provider`) on 127.0.0.1 at a free port, for sign-in tests over
 * HTTP or in a browser. Its login and consent pages are plain forms served here (the library's development
 * pages load a web font from the internet): `/interaction/<uid>` shows the one the flow needs, a login form
 * (`login`, `password`) or a consent form, each posting back to the same address. Groups are in the `groups`
 * claim (scope `groups`), which the code flow gives in the userinfo answer, not in the ID token.
 */
export async function startOidcSignInProvider(options: OidcSignInProviderOptions): Promise<OidcSignInProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const accounts = new Map(options.accounts.map((account) => [account.login, account]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: KoaContextWithOIDC, id: string) => {
      const account = accounts.get(id);
      if (account === undefined) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: account.email, email_verified: true, name: account.login, groups: [...account.groups] }),
      };
    },
  });
  const providerCallback = provider.callback();

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!(request.url ?? '').startsWith('/interaction/')) {
      providerCallback(request, response);
      return;
    }
    interaction(provider, request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The login and consent steps, rendered and submitted at `/interaction/<uid>`. */
async function interaction(provider: Provider, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  const action = `/interaction/${details.uid}`;
  if (request.method === 'GET') {
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(details.prompt.name === 'login' ? loginPage(action) : consentPage(action, String(details.params.scope ?? '')));
    return;
  }
  const form = new URLSearchParams(await bodyOf(request));
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(request, response, { login: { accountId: form.get('login') ?? '' } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: details.session?.accountId as string, clientId: String(details.params.client_id) });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
  await provider.interactionFinished(request, response, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

function loginPage(action: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to the test provider</title></head><body><main>
<h1>Sign in to the test provider</h1>
<form method="post" action="${action}">
<label for="login">Login</label><input id="login" name="login" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form></main></body></html>`;
}

function consentPage(action: string, scope: string): string {
  const escaped = scope.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Allow regauth</title></head><body><main>
<h1>Allow regauth to read: ${escaped}</h1>
<form method="post" action="${action}"><button type="submit">Allow</button></form>
</main></body></html>`;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
