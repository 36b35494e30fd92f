import express, { type Router } from 'express';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
import type { Clock } from '../../app/ports.js';
import type { KeySummary } from './signing-key-summary.js';
import { sessionOf } from './ui-context.js';
import { Layout, Time, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

const DAY_MS = 86_400_000;
/** The overview counts at most this many tokens; beyond, it says "more than". */
const OVERVIEW_SCAN_LIMIT = 5_000;

export interface OverviewDeps {
  readonly admin: DeployTokenAdmin;
  readonly clock: Clock;
  readonly signingKeys: () => KeySummary[];
  readonly registryConfigYaml: string;
}

interface TokenCounts {
  readonly active: number;
  readonly expiringSoon: number;
  readonly unused: number;
  readonly recentlyRevoked: number;
  readonly truncated: boolean;
}

async function countTokens(admin: DeployTokenAdmin, now: Date): Promise<TokenCounts> {
  const tokens: DeployTokenView[] = [];
  let after: number | undefined;
  do {
    const page = await admin.list({ limit: 1_000, ...(after === undefined ? {} : { after }) });
    tokens.push(...page.items);
    after = page.next ?? undefined;
  } while (after !== undefined && tokens.length < OVERVIEW_SCAN_LIMIT);
  const at = now.getTime();
  const active = tokens.filter((token) => token.status === 'active');
  return {
    active: active.length,
    expiringSoon: active.filter((token) => token.expiresAt !== null && Date.parse(token.expiresAt) - at <= 30 * DAY_MS).length,
    unused: active.filter((token) => at - Date.parse(token.lastUsedAt ?? token.createdAt) >= 90 * DAY_MS).length,
    recentlyRevoked: tokens.filter((token) => token.revokedAt !== null && at - Date.parse(token.revokedAt) <= 7 * DAY_MS).length,
    truncated: after !== undefined,
  };
}

/** The first page: what needs attention, the signing keys and the registry's auth.token block. */
export function overviewRoutes(deps: OverviewDeps): Router {
  const router = express.Router();
  router.get('/', async (_request, response) => {
    const counts = await countTokens(deps.admin, deps.clock.now());
    const failed = await deps.admin.audit({ event: 'auth.failed', limit: 10 });
    const more = counts.truncated ? '+' : '';
    sendPage(
      response,
      <Layout title="Overview" session={sessionOf(response)}>
        <h2>Deploy tokens</h2>
        <ul class="stats">
          <li>
            <a href={`${UI_PREFIX}/tokens?status=active`}>{`${counts.active}${more} active`}</a>
          </li>
          <li>{`${counts.expiringSoon}${more} expiring within 30 days`}</li>
          <li>{`${counts.unused}${more} unused for 90 days`}</li>
          <li>{`${counts.recentlyRevoked}${more} revoked in the last 7 days`}</li>
        </ul>
        <h2>Recent failed logins</h2>
        {failed.items.length === 0 ? (
          <p>No failed logins on record.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Username</th>
                <th scope="col">Client address</th>
              </tr>
            </thead>
            <tbody>
              {failed.items.map((event) => (
                <tr>
                  <td>
                    <Time iso={event.occurredAt} />
                  </td>
                  <td>{event.username ?? '—'}</td>
                  <td>{event.clientIp ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Signing keys</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Key id</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Signs from</th>
              <th scope="col">Certificate expires</th>
            </tr>
          </thead>
          <tbody>
            {deps.signingKeys().map((key) => (
              <tr>
                <td>{key.status}</td>
                <td>
                  <code>{key.keyId}</code>
                </td>
                <td>{key.algorithm}</td>
                <td>
                  <Time iso={key.activatesAt} />
                </td>
                <td>
                  <Time iso={key.certificateExpiresAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Registry configuration</h2>
        <p>The auth section of the registry's config.yml:</p>
        <pre id="registry-config">{deps.registryConfigYaml}</pre>
        <button type="button" data-copy="registry-config" hidden>
          Copy
        </button>
      </Layout>,
    );
  });
  return router;
}
