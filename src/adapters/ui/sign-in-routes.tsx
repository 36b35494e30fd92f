import express, { type Request, type Response, type Router } from 'express';
import { InvalidAdminKeyError, TooManyAttemptsError } from '../../app/errors.js';
import type { OpaqueTokens } from '../../app/ports.js';
import type { UiSessions } from '../../app/ui-sessions.js';
import { clearCookie, readCookie, SESSION_COOKIE, setSessionCookie, setSignInCookie, SIGN_IN_COOKIE } from './ui-cookies.js';
import { field, requireSameOriginForm, requireSession, UiForbiddenError } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';
import { SSO_START_PATH } from './sso-sign-in-routes.js';
import { csrfTokenMatches, isCrossOrigin } from './ui-security.js';

interface SignInPageProps {
  readonly csrf: string;
  readonly errors: readonly FieldError[];
  /** The identity provider's name when single sign-on is configured. */
  readonly ssoProvider: string | null;
}

function SignInPage({ csrf, errors, ssoProvider }: SignInPageProps) {
  return (
    <Layout title="Sign in" session={null}>
      <ErrorSummary errors={errors} />
      {ssoProvider === null ? null : (
        <p>
          <a class="sso-sign-in" href={`${UI_PREFIX}${SSO_START_PATH}`}>
            Sign in with {ssoProvider}
          </a>
        </p>
      )}
      <form method="post" action={`${UI_PREFIX}/sign-in`}>
        <CsrfField token={csrf} />
        <label for="key">Admin key</label>
        <p id="key-hint">
          Make one on the server with <code>regauth admin-keys create --name your-name</code>.
        </p>
        {errors.length === 0 ? null : <p class="field-error">{errors[0]?.message}</p>}
        <input id="key" name="key" type="password" autocomplete="current-password" required aria-describedby="key-hint" size={50} />
        <div>
          <button type="submit">Sign in</button>
        </div>
      </form>
    </Layout>
  );
}

/** Sign-in with an admin key (through the brute-force protection), the link to single sign-on, and sign-out. */
export function signInRoutes(sessions: UiSessions, tokens: OpaqueTokens, ssoProvider: string | null = null): Router {
  const router = express.Router();
  const showForm = (request: Request, response: Response, errors: FieldError[], status = 200) => {
    const csrf = tokens.generate('');
    setSignInCookie(request, response, csrf);
    sendPage(response, <SignInPage csrf={csrf} errors={errors} ssoProvider={ssoProvider} />, { status });
  };

  router.get('/sign-in', (request, response) => showForm(request, response, []));

  router.post('/sign-in', async (request, response) => {
    const expected = readCookie(request, SIGN_IN_COOKIE);
    if (isCrossOrigin(request) || expected === null || !csrfTokenMatches(expected, field(request, 'csrf'))) {
      throw new UiForbiddenError('This sign-in form has expired or did not come from regauth: reload the page and try again.');
    }
    const key = field(request, 'key');
    if (key.trim() === '') {
      showForm(request, response, [{ field: 'key', message: 'Enter an admin key' }], 400);
      return;
    }
    try {
      const replacing = readCookie(request, SESSION_COOKIE) ?? undefined;
      const started = await sessions.signInWithAdminKey(key, request.ip ?? 'unknown', replacing);
      clearCookie(request, response, SIGN_IN_COOKIE);
      setSessionCookie(request, response, started.sessionId);
      response.redirect(303, `${UI_PREFIX}/`);
    } catch (error) {
      if (error instanceof InvalidAdminKeyError) {
        showForm(request, response, [{ field: 'key', message: 'That admin key is not valid or has been revoked' }], 401);
      } else if (error instanceof TooManyAttemptsError) {
        response.set('Retry-After', String(error.retryAfterSeconds));
        showForm(request, response, [{ field: 'key', message: `Too many failed sign-ins: try again in ${error.retryAfterSeconds} s` }], 429);
      } else {
        throw error;
      }
    }
  });

  router.post('/sign-out', requireSession(sessions), requireSameOriginForm, async (request, response) => {
    await sessions.end(readCookie(request, SESSION_COOKIE) as string);
    clearCookie(request, response, SESSION_COOKIE);
    response.redirect(303, `${UI_PREFIX}/sign-in`);
  });
  return router;
}
