import express, { type Router } from 'express';
import type { DeployTokenAdmin, ListDeployTokensInput } from '../../app/deploy-token-admin.js';
import type { DeployTokenStatus } from '../../core/deploy-token.js';
import type { KeySummary } from './signing-key-summary.js';
import { registryBundleState, type RegistryBundleState } from './registry-bundle-state.js';
import { sessionOf } from './ui-context.js';
import { Layout, Time, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

export interface OverviewDeps {
  readonly admin: DeployTokenAdmin;
  readonly signingKeys: () => KeySummary[];
  readonly registryConfigYaml: string;
}

/** Each count on the overview, the list filter it counts with, and how it reads. */
const TOKEN_COUNTS: readonly (readonly [query: Record<string, string>, label: string])[] = [
  [{ status: 'active' }, 'active'],
  [{ status: 'active', expiringWithin: '30' }, 'expiring within 30 days'],
  [{ status: 'active', unusedFor: '90' }, 'unused for 90 days'],
  [{ revokedWithin: '7' }, 'revoked in the last 7 days'],
];

/** The list filter's query parameters as the use case takes them. */
function listInputOfQuery(query: Record<string, string>): ListDeployTokensInput {
  return {
    ...(query.status === undefined ? {} : { status: query.status as DeployTokenStatus }),
    ...(query.expiringWithin === undefined ? {} : { expiringWithinDays: Number(query.expiringWithin) }),
    ...(query.unusedFor === undefined ? {} : { unusedForDays: Number(query.unusedFor) }),
    ...(query.revokedWithin === undefined ? {} : { revokedWithinDays: Number(query.revokedWithin) }),
  };
}

function RegistryBundleAdvice({ state }: { readonly state: RegistryBundleState }) {
  if (state.kind === 'current') {
    return (
      <p id="registry-bundle-state">
        No key is waiting to sign: a registry given the bundle since the signing key was added needs nothing.
      </p>
    );
  }
  return (
    <p id="registry-bundle-state" class="warning">
      The registry's bundle needs updating: key <code>{state.keyId}</code> signs from <Time iso={state.activatesAt} />. Give every
      registry the new bundle (from <a href={`${UI_PREFIX}/signing-keys`}>Signing keys</a>) and restart it before then, or its clients
      get "unauthorized: authentication required".
    </p>
  );
}

/** The first page: what needs attention, the signing keys and the registry's auth.token block. */
export function overviewRoutes(deps: OverviewDeps): Router {
  const router = express.Router();
  router.get('/', async (_request, response) => {
    const counts = await Promise.all(TOKEN_COUNTS.map(([query]) => deps.admin.count(listInputOfQuery(query))));
    const failed = await deps.admin.audit({ event: 'auth.failed', limit: 10 });
    sendPage(
      response,
      <Layout title="Overview" session={sessionOf(response)}>
        <h2>Deploy tokens</h2>
        <ul class="stats">
          {TOKEN_COUNTS.map(([query, label], index) => (
            <li>
              <a href={`${UI_PREFIX}/tokens?${new URLSearchParams(query).toString()}`}>{`${counts[index] ?? 0} ${label}`}</a>
            </li>
          ))}
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
        <RegistryBundleAdvice state={registryBundleState(deps.signingKeys())} />
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
