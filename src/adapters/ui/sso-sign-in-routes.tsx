import express, { type Request, type Response, type Router } from 'express';
import { TooManyAttemptsError } from '../../app/errors.js';
import { SSO_FLOW_SECONDS, type SsoSignIn } from '../../app/sso-sign-in.js';
import { SsoCallbackError, SsoNoRoleError } from '../../app/sso-sign-in-errors.js';
import { clearSsoFlowCookie, readCookie, SESSION_COOKIE, setSessionCookie, setSsoFlowCookie, SSO_FLOW_COOKIE } from './ui-cookies.js';
import { Layout, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

export const SSO_START_PATH = '/sign-in/oidc';
export const SSO_CALLBACK_PATH = '/sign-in/oidc/callback';

export interface SsoSignInOptions {
  readonly signIn: SsoSignIn;
  /** "Sign in with <providerName>". */
  readonly providerName: string;
}

function RefusedPage({ title, message, providerName }: { readonly title: string; readonly message: string; readonly providerName: string }) {
  return (
    <Layout title={title} session={null}>
      <p>{message}</p>
      <p>
        <a href={`${UI_PREFIX}/sign-in`}>Back to sign-in</a> (to sign in with {providerName} again, or with an admin key).
      </p>
    </Layout>
  );
}

/**
 * The provider's callback arrives as a cross-site navigation, and a browser withholds a SameSite=Strict cookie
 * from every request of a navigation that started on another site, redirects included: a 303 to /ui/ would
 * arrive without the session cookie just set. This page is same-origin, so the navigation it starts (a meta
 * refresh, or the link) is same-site and carries the cookie.
 */
function ContinuePage() {
  return (
    <Layout title="Signed in" session={null} continueTo={`${UI_PREFIX}/`}>
      <p>
        <a href={`${UI_PREFIX}/`}>Continue to regauth</a>
      </p>
    </Layout>
  );
}

/** Single sign-on: off to the identity provider, and back through its callback into a UI session. */
export function ssoSignInRoutes({ signIn, providerName }: SsoSignInOptions): Router {
  const router = express.Router();

  router.get(SSO_START_PATH, async (request, response) => {
    const { authorizationUrl, flowId } = await signIn.begin();
    setSsoFlowCookie(request, response, flowId, SSO_FLOW_SECONDS);
    response.set('Cache-Control', 'no-store');
    response.redirect(303, authorizationUrl);
  });

  router.get(SSO_CALLBACK_PATH, async (request: Request, response: Response) => {
    const queryStart = request.originalUrl.indexOf('?');
    clearSsoFlowCookie(request, response);
    try {
      const replacing = readCookie(request, SESSION_COOKIE) ?? undefined;
      const started = await signIn.finish({
        flowId: readCookie(request, SSO_FLOW_COOKIE),
        query: queryStart < 0 ? '' : request.originalUrl.slice(queryStart),
        clientIp: request.ip ?? 'unknown',
        ...(replacing === undefined ? {} : { replacing }),
      });
      setSessionCookie(request, response, started.sessionId);
      sendPage(response, <ContinuePage />, { secret: true });
    } catch (error) {
      if (error instanceof SsoNoRoleError) {
        const who = error.email ?? error.subject;
        const message = `${providerName} signed you in as ${who}, but you are in none of the groups that may use regauth. Ask an administrator to add you to one.`;
        sendPage(response, <RefusedPage title="Not allowed" message={message} providerName={providerName} />, { status: 403 });
      } else if (error instanceof SsoCallbackError) {
        const message = `The sign-in with ${providerName} did not complete: ${error.message}.`;
        sendPage(response, <RefusedPage title="Sign-in failed" message={message} providerName={providerName} />, { status: 400 });
      } else if (error instanceof TooManyAttemptsError) {
        response.set('Retry-After', String(error.retryAfterSeconds));
        const message = `Too many failed sign-ins from your address: try again in ${error.retryAfterSeconds} s.`;
        sendPage(response, <RefusedPage title="Sign-in failed" message={message} providerName={providerName} />, { status: 429 });
      } else {
        throw error;
      }
    }
  });
  return router;
}
