import express, { type Request, type Response, type Router } from 'express';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import { requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, Layout, Time, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';
import { auditAccessSummary } from './audit-access-summary.js';
import { scopeText } from './scope-words.js';
import { ExtendForm } from './token-extend-routes.js';

/** A token's detail, and revoking one after a confirmation that names the consequence. */
export function tokenRoutes(admin: DeployTokenAdmin): Router {
  const router = express.Router();

  router.get('/tokens/:reference', async (request, response) => {
    const token = await admin.get(String(request.params.reference));
    const activity = await admin.audit({ token: String(token.id), limit: 50 });
    const session = sessionOf(response);
    sendPage(
      response,
      <Layout title={`Deploy token ${token.name}`} session={session}>
        <dl>
          <dt>Username</dt>
          <dd>
            <code>{token.username}</code>
          </dd>
          <dt>Repositories</dt>
          <dd>{token.repositories.join(', ')}</dd>
          <dt>Lets a client</dt>
          <dd>{scopeText(token.scopes)}</dd>
          <dt>Status</dt>
          <dd>{token.status}</dd>
          <dt>Created</dt>
          <dd>
            <Time iso={token.createdAt} />
          </dd>
          <dt>Secret issued</dt>
          <dd id="secret-issued">
            <Time iso={token.secretIssuedAt} /> {token.secretIssuedBy === null ? '' : `by ${token.secretIssuedBy}`}
          </dd>
          <dt>Expires</dt>
          <dd>
            <Time iso={token.expiresAt} />
          </dd>
          <dt>Last used</dt>
          <dd>
            <Time iso={token.lastUsedAt} /> {token.lastUsedIp === null ? '' : `from ${token.lastUsedIp}`}
          </dd>
        </dl>
        {session.role === 'admin' && token.status !== 'revoked' ? (
          <p>
            <a href={`${UI_PREFIX}/tokens/${token.id}/edit`}>Edit</a> ·{' '}
            <a href={`${UI_PREFIX}/tokens/${token.id}/rotate`} data-confirm>
              Rotate its secret
            </a>{' '}
            ·{' '}
            <a href={`${UI_PREFIX}/tokens/${token.id}/revoke`} data-confirm>
              Revoke this token
            </a>
          </p>
        ) : null}
        {/* A token that never expires has nothing to extend: giving it an expiry is an edit. */}
        {session.role === 'admin' && token.status !== 'revoked' && token.expiresAt !== null ? (
          <ExtendForm token={token} csrf={session.csrfToken} expiry="90d" expiryDate="" />
        ) : null}
        <h2>Activity</h2>
        {activity.items.length === 0 ? (
          <p>No activity on record.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">Client address</th>
                <th scope="col">Access</th>
              </tr>
            </thead>
            <tbody>
              {activity.items.map((event) => (
                <tr>
                  <td>
                    <Time iso={event.occurredAt} />
                  </td>
                  <td>{event.event}</td>
                  <td>{event.actor ?? '—'}</td>
                  <td>{event.clientIp ?? '—'}</td>
                  <td>{auditAccessSummary(event.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });

  router.get('/tokens/:reference/revoke', requireAdmin, async (request, response) => {
    const token = await admin.get(String(request.params.reference));
    sendPage(
      response,
      <Layout title={`Revoke ${token.name}?`} session={sessionOf(response)}>
        <p class="warning">
          Every client using <code>{token.username}</code> ({token.repositories.join(', ')}) stops getting registry tokens at
          once, and its docker logins end. This cannot be undone.
        </p>
        <form method="post" action={`${UI_PREFIX}/tokens/${token.id}/revoke`}>
          <CsrfField token={sessionOf(response).csrfToken} />
          <button type="submit">Revoke {token.name}</button>
        </form>
        <p data-cancel>
          <a href={`${UI_PREFIX}/tokens/${token.id}`}>Keep it</a>
        </p>
      </Layout>,
    );
  });

  router.post('/tokens/:reference/revoke', requireAdmin, requireSameOriginForm, async (request: Request, response: Response) => {
    const session = sessionOf(response);
    const revoked = await admin.revoke(String(request.params.reference), { actor: session.actor, clientIp: request.ip ?? null });
    response.redirect(303, `${UI_PREFIX}/tokens/${revoked.id}`);
  });
  return router;
}
