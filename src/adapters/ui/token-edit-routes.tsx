import express, { type Request, type Response, type Router } from 'express';
import type { DeployTokenAdmin, UpdateDeployTokenInput } from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
import { RegauthError } from '../../core/regauth-error.js';
import { field, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';

const linesOf = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

function scopesOf(request: Request): string[] {
  const scopes = ((request.body ?? {}) as Record<string, unknown>).scopes;
  return Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : typeof scopes === 'string' ? [scopes] : [];
}

function EditPage(props: { token: DeployTokenView; errors: readonly FieldError[]; csrf: string; session: ReturnType<typeof sessionOf> }) {
  const { token } = props;
  return (
    <Layout title={`Edit ${token.name}`} session={props.session}>
      <ErrorSummary errors={props.errors} />
      <p>Changes take effect at the token's next login; its secret stays the same, so no client needs changing.</p>
      <form method="post" action={`${UI_PREFIX}/tokens/${token.id}/edit`}>
        <CsrfField token={props.csrf} />
        <label for="name">Name</label>
        <input id="name" name="name" value={token.name} required maxlength={255} />
        <label for="repositories">Repositories, one pattern a line</label>
        <textarea id="repositories" name="repositories" rows={3}>
          {token.repositories.join('\n')}
        </textarea>
        <fieldset id="scopes">
          <legend>What it lets a client do</legend>
          <label>
            <input type="checkbox" name="scopes" value="read_registry" checked={token.scopes.includes('read_registry')} /> Pull images
          </label>
          <label>
            <input type="checkbox" name="scopes" value="write_registry" checked={token.scopes.includes('write_registry')} /> Push images (and pull)
          </label>
        </fieldset>
        <label for="expires">New expiry (a duration such as 90d, or a date; empty keeps it)</label>
        <input id="expires" name="expires" />
        <div>
          <button type="submit">Save changes</button>
        </div>
      </form>
    </Layout>
  );
}

/** Editing a token's name, repositories, scopes and expiry (extending it keeps clients working). */
export function tokenEditRoutes(admin: DeployTokenAdmin): Router {
  const router = express.Router();
  const show = async (request: Request, response: Response, errors: FieldError[], status = 200) => {
    const token = await admin.get(String(request.params.reference));
    sendPage(response, <EditPage token={token} errors={errors} csrf={sessionOf(response).csrfToken} session={sessionOf(response)} />, { status });
  };

  router.get('/tokens/:reference/edit', requireAdmin, (request, response) => show(request, response, []));
  router.post('/tokens/:reference/edit', requireAdmin, requireSameOriginForm, async (request, response) => {
    const expires = field(request, 'expires').trim();
    const input: UpdateDeployTokenInput = {
      name: field(request, 'name'),
      repositories: linesOf(field(request, 'repositories')),
      scopes: scopesOf(request),
      ...(expires === '' ? {} : { expires }),
    };
    try {
      const updated = await admin.update(String(request.params.reference), input, { actor: sessionOf(response).actor, clientIp: request.ip ?? null });
      response.redirect(303, `${UI_PREFIX}/tokens/${updated.id}`);
    } catch (error) {
      if (!(error instanceof RegauthError) || error.code === 'unavailable' || error.code === 'overloaded' || error.code === 'not_found') throw error;
      await show(request, response, [{ field: 'name', message: error.message }], 400);
    }
  });
  return router;
}
