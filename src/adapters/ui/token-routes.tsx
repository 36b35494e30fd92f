import express, { type Request, type Response, type Router } from 'express';
import type { DeployTokenAdmin, ListDeployTokensInput } from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
import type { DeployTokenStatus } from '../../core/deploy-token.js';
import { queryText, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, Layout, Time, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

const PAGE_SIZE = 50;
const DEPLOY_TOKEN_STATUSES: readonly DeployTokenStatus[] = ['active', 'expired', 'revoked'];
const NUMERIC = /^[1-9][0-9]{0,14}$/;

const SCOPE_WORDS: Readonly<Record<string, string>> = {
  read_registry: 'pull images',
  write_registry: 'pull and push images',
  catalog: 'list repositories',
};

function scopeText(scopes: readonly string[]): string {
  return scopes.map((scope) => SCOPE_WORDS[scope] ?? scope).join(', ');
}

/** The list's filters, read from the query string; anything unknown is ignored rather than guessed at. */
function listInputOf(request: Request): ListDeployTokensInput & { readonly statusText: string; readonly repositoryText: string } {
  const statusText = queryText(request, 'status');
  const repositoryText = queryText(request, 'repository').trim();
  const after = queryText(request, 'after');
  const status = DEPLOY_TOKEN_STATUSES.find((known) => known === statusText);
  return {
    statusText,
    repositoryText,
    limit: PAGE_SIZE,
    ...(status === undefined ? {} : { status }),
    ...(repositoryText === '' ? {} : { repository: repositoryText }),
    ...(NUMERIC.test(after) ? { after: Number(after) } : {}),
  };
}

function TokenTable({ tokens }: { readonly tokens: readonly DeployTokenView[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Username</th>
          <th scope="col">Repositories</th>
          <th scope="col">Lets a client</th>
          <th scope="col">Status</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr>
            <td>
              <a href={`${UI_PREFIX}/tokens/${token.id}`}>{token.name}</a>
            </td>
            <td>
              <code>{token.username}</code>
            </td>
            <td>{token.repositories.join(', ')}</td>
            <td>{scopeText(token.scopes)}</td>
            <td>{token.status}</td>
            <td>
              <Time iso={token.expiresAt} />
            </td>
            <td>
              <Time iso={token.lastUsedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The token list, a token's detail, and revoking one after a confirmation that names the consequence. */
export function tokenRoutes(admin: DeployTokenAdmin): Router {
  const router = express.Router();

  router.get('/tokens', async (request, response) => {
    const input = listInputOf(request);
    const { statusText, repositoryText, ...listInput } = input;
    const page = await admin.list(listInput);
    const nextQuery = new URLSearchParams({ status: statusText, repository: repositoryText, after: String(page.next ?? '') });
    sendPage(
      response,
      <Layout title="Deploy tokens" session={sessionOf(response)}>
        {sessionOf(response).role === 'admin' ? (
          <p>
            <a href={`${UI_PREFIX}/tokens/new`}>Create a deploy token</a>
          </p>
        ) : null}
        <form method="get" action={`${UI_PREFIX}/tokens`} role="search">
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">any</option>
            {DEPLOY_TOKEN_STATUSES.map((status) => (
              <option value={status} selected={status === statusText}>
                {status}
              </option>
            ))}
          </select>
          <label for="repository">Covers repository</label>
          <input id="repository" name="repository" value={repositoryText} placeholder="team/app" />
          <div>
            <button type="submit">Filter</button>
          </div>
        </form>
        {page.items.length === 0 ? <p>No deploy tokens match.</p> : <TokenTable tokens={page.items} />}
        {page.next === null ? null : <a href={`${UI_PREFIX}/tokens?${nextQuery.toString()}`}>Next page</a>}
      </Layout>,
    );
  });

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
