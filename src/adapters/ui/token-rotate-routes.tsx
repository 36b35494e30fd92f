import express, { type Router } from 'express';
import type { CreatedDeployToken, DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { OpaqueTokens } from '../../app/ports.js';
import type { UiSessions } from '../../app/ui-sessions.js';
import { SecretPage } from './token-create-routes.js';
import { readCookie, SESSION_COOKIE } from './ui-cookies.js';
import { field, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, Layout, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

/** A new secret for a token, after a confirmation naming the consequence; a reload rotates nothing more. */
export function tokenRotateRoutes(admin: DeployTokenAdmin, sessions: UiSessions, tokens: OpaqueTokens): Router {
  const router = express.Router();
  router.get('/tokens/:reference/rotate', requireAdmin, async (request, response) => {
    const token = await admin.get(String(request.params.reference));
    sendPage(
      response,
      <Layout title={`Rotate the secret of ${token.name}?`} session={sessionOf(response)}>
        <p class="warning">
          The current secret of <code>{token.username}</code> and its docker logins stop working at once: every client must be given
          the new secret, shown once on the next page.
        </p>
        <form method="post" action={`${UI_PREFIX}/tokens/${token.id}/rotate`}>
          <CsrfField token={sessionOf(response).csrfToken} />
          <input type="hidden" name="formKey" value={tokens.generate('')} />
          <button type="submit">Rotate the secret of {token.name}</button>
        </form>
        <p data-cancel>
          <a href={`${UI_PREFIX}/tokens/${token.id}`}>Keep the current secret</a>
        </p>
      </Layout>,
    );
  });

  router.post('/tokens/:reference/rotate', requireAdmin, requireSameOriginForm, async (request, response) => {
    const session = sessionOf(response);
    let rotated: CreatedDeployToken | null = null;
    const outcome = await sessions.once(readCookie(request, SESSION_COOKIE) as string, field(request, 'formKey').slice(0, 100) || 'missing', async () => {
      rotated = await admin.rotate(String(request.params.reference), { actor: session.actor, clientIp: request.ip ?? null });
      return rotated.token.id;
    });
    if (outcome.repeated) {
      sendPage(
        response,
        <Layout title="This form was already sent" session={session}>
          <p>The secret was rotated by the first submission; the new secret was shown then and cannot be shown again.</p>
          {outcome.tokenId === null ? null : <a href={`${UI_PREFIX}/tokens/${outcome.tokenId}`}>Go to the token</a>}
        </Layout>,
        { status: 409 },
      );
      return;
    }
    sendPage(response, <SecretPage created={rotated as unknown as CreatedDeployToken} session={session} rotated />, { secret: true });
  });
  return router;
}
