import express, { type Router } from 'express';
import type { AdminKeys } from '../../app/admin-keys.js';
import { AdminKeyNotFoundError } from '../../app/errors.js';
import { RegauthError } from '../../core/regauth-error.js';
import { field, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, Time, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

const NUMERIC = /^[1-9][0-9]{0,14}$/;

/** Admin keys (admins only): the list, making one (shown once) and revoking one after a confirmation. */
export function adminKeyRoutes(adminKeys: AdminKeys): Router {
  const router = express.Router();
  router.use('/admin-keys', requireAdmin);

  router.get('/admin-keys', async (_request, response) => {
    const session = sessionOf(response);
    const keys = await adminKeys.list();
    sendPage(
      response,
      <Layout title="Admin keys" session={session}>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr>
                <td>{key.name}</td>
                <td>{key.status}</td>
                <td>
                  <Time iso={key.createdAt} />
                </td>
                <td>
                  <Time iso={key.lastUsedAt} />
                </td>
                <td>{key.status === 'active' ? (
                    <a href={`${UI_PREFIX}/admin-keys/${key.id}/revoke`} data-confirm>
                      Revoke {key.name}
                    </a>
                  ) : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Create an admin key</h2>
        <form method="post" action={`${UI_PREFIX}/admin-keys`}>
          <CsrfField token={session.csrfToken} />
          <label for="name">Name</label>
          <input id="name" name="name" required maxlength={255} />
          <div>
            <button type="submit">Create admin key</button>
          </div>
        </form>
      </Layout>,
    );
  });

  router.post('/admin-keys', requireSameOriginForm, async (request, response) => {
    const session = sessionOf(response);
    try {
      const created = await adminKeys.create(field(request, 'name'), session.actor);
      sendPage(
        response,
        <Layout title={`Admin key ${created.adminKey.name} created`} session={session}>
          <p class="warning">This is the only time the key is shown: copy it now.</p>
          <pre id="admin-key">{created.key}</pre>
          <button type="button" data-copy="admin-key" hidden>
            Copy
          </button>
          <p>
            <a href={`${UI_PREFIX}/admin-keys`}>Back to the admin keys</a>
          </p>
        </Layout>,
        { secret: true },
      );
    } catch (error) {
      if (!(error instanceof RegauthError) || error.code === 'unavailable') throw error;
      sendPage(
        response,
        <Layout title="Admin keys" session={session}>
          <ErrorSummary errors={[{ field: 'name', message: error.message }]} />
          <form method="post" action={`${UI_PREFIX}/admin-keys`}>
            <CsrfField token={session.csrfToken} />
            <label for="name">Name</label>
            <input id="name" name="name" required maxlength={255} />
            <div>
              <button type="submit">Create admin key</button>
            </div>
          </form>
        </Layout>,
        { status: 400 },
      );
    }
  });

  router.get('/admin-keys/:id/revoke', async (request, response) => {
    const key = (await adminKeys.list()).find((candidate) => String(candidate.id) === request.params.id);
    if (key === undefined) throw new AdminKeyNotFoundError(Number(request.params.id) || 0);
    sendPage(
      response,
      <Layout title={`Revoke admin key ${key.name}?`} session={sessionOf(response)}>
        <p class="warning">Everything using this key (scripts, the admin API, UI sessions signed in with it) stops working at once.</p>
        <form method="post" action={`${UI_PREFIX}/admin-keys/${key.id}/revoke`}>
          <CsrfField token={sessionOf(response).csrfToken} />
          <button type="submit">Revoke {key.name}</button>
        </form>
      </Layout>,
    );
  });

  router.post('/admin-keys/:id/revoke', requireSameOriginForm, async (request, response) => {
    const id = String(request.params.id);
    if (!NUMERIC.test(id)) throw new AdminKeyNotFoundError(0);
    await adminKeys.revoke(Number(id), sessionOf(response).actor);
    response.redirect(303, `${UI_PREFIX}/admin-keys`);
  });
  return router;
}
