import express, { type Router } from 'express';
import type { DeployTokenAdmin, DeployTokenPage } from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
import { REGISTRY_SCOPES } from '../../core/deploy-token.js';
import { RegauthError } from '../../core/regauth-error.js';
import { sessionOf } from './ui-context.js';
import { ErrorSummary, Layout, Time, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';
import { SCOPE_WORDS, scopeText } from './scope-words.js';
import {
  DEPLOY_TOKEN_STATUSES,
  listInputOf,
  pageNumbers,
  SORT_CHOICES,
  TOKEN_PAGE_SIZE,
  tokenListHref,
  tokenListQueryOf,
  type TokenListQuery,
} from './token-list-query.js';

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
          <th scope="col">Created</th>
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
              <Time iso={token.createdAt} />
            </td>
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

function Filters({ query }: { readonly query: TokenListQuery }) {
  return (
    <form method="get" action={`${UI_PREFIX}/tokens`} role="search" class="filters" aria-label="Deploy tokens">
      <div class="filter">
        <label for="search">Search name, username or repository pattern</label>
        <input id="search" name="search" type="search" value={query.search} maxlength={255} />
      </div>
      <div class="filter">
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">any</option>
          {DEPLOY_TOKEN_STATUSES.map((status) => (
            <option value={status} selected={status === query.status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div class="filter">
        <label for="scope">Lets a client</label>
        <select id="scope" name="scope">
          <option value="">anything</option>
          {REGISTRY_SCOPES.map((scope) => (
            <option value={scope} selected={scope === query.scope}>
              {SCOPE_WORDS[scope]}
            </option>
          ))}
        </select>
      </div>
      <div class="filter">
        <label for="expiringWithin">Expiring within (days)</label>
        <input id="expiringWithin" name="expiringWithin" inputmode="numeric" pattern="[0-9]*" value={query.expiringWithin} />
      </div>
      <div class="filter">
        <label for="unusedFor">Unused for (days)</label>
        <input id="unusedFor" name="unusedFor" inputmode="numeric" pattern="[0-9]*" value={query.unusedFor} />
      </div>
      <div class="filter">
        <label for="revokedWithin">Revoked within (days)</label>
        <input id="revokedWithin" name="revokedWithin" inputmode="numeric" pattern="[0-9]*" value={query.revokedWithin} />
      </div>
      <div class="filter">
        <label for="covers">Covers repository</label>
        <input id="covers" name="covers" value={query.covers} placeholder="team/app" />
      </div>
      <div class="filter">
        <label for="sort">Sort by</label>
        <select id="sort" name="sort">
          {SORT_CHOICES.map(([value, label]) => (
            <option value={value} selected={value === (query.sort || 'created:asc')}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <button type="submit">Search</button> <a href={`${UI_PREFIX}/tokens`}>Clear</a>
      </div>
    </form>
  );
}

/** "51–100 of 340" and links to the pages around this one. */
function Paging({ page, query }: { readonly page: DeployTokenPage; readonly query: TokenListQuery }) {
  const pages = Math.max(1, Math.ceil(page.total / TOKEN_PAGE_SIZE));
  const range = page.items.length === 0 ? `none of ${page.total} on this page` : `${page.offset + 1}–${page.offset + page.items.length} of ${page.total}`;
  return (
    <nav aria-label="Pages" class="paging">
      <p id="token-range">{range}</p>
      {pages === 1 ? null : (
        <ul>
          {query.page > 1 ? (
            <li>
              <a href={tokenListHref(UI_PREFIX, query, query.page - 1)} rel="prev">
                Previous
              </a>
            </li>
          ) : null}
          {pageNumbers(Math.min(query.page, pages), pages).map((number) =>
            number === null ? (
              <li aria-hidden="true">…</li>
            ) : (
              <li>
                {number === query.page ? (
                  <a href={tokenListHref(UI_PREFIX, query, number)} aria-current="page">
                    {number}
                  </a>
                ) : (
                  <a href={tokenListHref(UI_PREFIX, query, number)} aria-label={`Page ${number}`}>
                    {number}
                  </a>
                )}
              </li>
            ),
          )}
          {query.page < pages ? (
            <li>
              <a href={tokenListHref(UI_PREFIX, query, query.page + 1)} rel="next">
                Next
              </a>
            </li>
          ) : null}
        </ul>
      )}
    </nav>
  );
}

/** The token list: search, filters, sort and numbered pages, all done by the store. */
export function tokenListRoutes(admin: DeployTokenAdmin): Router {
  const router = express.Router();
  router.get('/tokens', async (request, response) => {
    const query = tokenListQueryOf(request);
    const session = sessionOf(response);
    let page: DeployTokenPage | null = null;
    const errors: FieldError[] = [];
    try {
      page = await admin.list(listInputOf(query));
    } catch (error) {
      if (!(error instanceof RegauthError) || error.code === 'unavailable' || error.code === 'overloaded') throw error;
      errors.push({ field: query.covers === '' ? 'search' : 'covers', message: error.message });
    }
    sendPage(
      response,
      <Layout title="Deploy tokens" session={session}>
        {session.role === 'admin' ? (
          <p>
            <a href={`${UI_PREFIX}/tokens/new`}>Create a deploy token</a>
          </p>
        ) : null}
        <ErrorSummary errors={errors} />
        <Filters query={query} />
        {page === null ? null : page.items.length === 0 && page.total === 0 ? (
          <p>No deploy tokens match.</p>
        ) : (
          <>
            <TokenTable tokens={page.items} />
            <Paging page={page} query={query} />
          </>
        )}
      </Layout>,
      { status: errors.length === 0 ? 200 : 400 },
    );
  });
  return router;
}
