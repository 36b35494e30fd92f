import express, { type Request, type Response, type Router } from 'express';
import type { FederationAdmin } from '../../app/federation/federation-admin.js';
import { TrustPolicyNotFoundError } from '../../app/federation/federation-admin-errors.js';
import type { TrustedIssuerView } from '../../app/federation/trusted-issuer-view.js';
import type { TrustPolicyView } from '../../app/federation/trust-policy-view.js';
import { formatDuration } from '../../core/duration.js';
import { conditionWords, scopeWords } from './policy-words.js';
import { requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, Layout, Time, UI_PREFIX } from './layout.js';
import { sendPage } from './render-page.js';

const POLICY_ID = /^[1-9][0-9]{0,14}$/;

/** The policy of a `/trust-policies/:id` path; ids only in paths, so a policy named "new" cannot shadow a page. */
export async function policyOfPath(federation: FederationAdmin, request: Request): Promise<TrustPolicyView> {
  const id = String(request.params.id);
  if (!POLICY_ID.test(id)) throw new TrustPolicyNotFoundError(id);
  return federation.policies.get(id);
}

function issuerName(issuers: readonly TrustedIssuerView[], id: number): string {
  return issuers.find((issuer) => issuer.id === id)?.name ?? `issuer ${id} (removed)`;
}

function Conditions({ policy }: { readonly policy: TrustPolicyView }) {
  return (
    <ul>
      {policy.conditions.map((condition) => (
        <li>{conditionWords(condition)}</li>
      ))}
    </ul>
  );
}

function Grants({ policy }: { readonly policy: TrustPolicyView }) {
  return (
    <>
      {policy.repositories.map((repository) => (
        <code>{repository}</code>
      )).flatMap((code, index) => (index === 0 ? [code] : [', ', code]))}
      : {scopeWords(policy.scopes)}
    </>
  );
}

function state(policy: TrustPolicyView, now: Date): string {
  if (!policy.enabled) return 'disabled';
  if (policy.expiresAt !== null && new Date(policy.expiresAt) <= now) return 'expired';
  return 'enabled';
}

/** The trust policies and trusted issuers, a policy's page, and turning a policy off and on (admins). */
export function trustPolicyRoutes(federation: FederationAdmin, now: () => Date): Router {
  const router = express.Router();

  router.get('/trust-policies', async (_request, response) => {
    const session = sessionOf(response);
    const [policies, issuers] = await Promise.all([federation.policies.list(), federation.issuers.list()]);
    sendPage(
      response,
      <Layout title="Trust policies" session={session}>
        <p>
          A CI job or a pod proves who it is with the identity token its platform gives it; a policy says which tokens of a trusted issuer get which repositories, for a few
          minutes, with no deploy token to hand out.
        </p>
        {session.role === 'admin' && issuers.length > 0 ? (
          <p>
            <a href={`${UI_PREFIX}/trust-policies/new`}>Add a trust policy</a>
          </p>
        ) : null}
        {policies.length === 0 ? (
          <p>No trust policies yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Issuer</th>
                <th scope="col">When (all must hold)</th>
                <th scope="col">Grants</th>
                <th scope="col">Credential lifetime</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
              </tr>
            </thead>
            <tbody>
              {policies.map((policy) => (
                <tr>
                  <td>
                    <a href={`${UI_PREFIX}/trust-policies/${policy.id}`}>{policy.name}</a>
                  </td>
                  <td>{issuerName(issuers, policy.issuerId)}</td>
                  <td>
                    <Conditions policy={policy} />
                  </td>
                  <td>
                    <Grants policy={policy} />
                  </td>
                  <td>{formatDuration(policy.credentialLifetimeSeconds * 1000)}</td>
                  <td>{state(policy, now())}</td>
                  <td>
                    <Time iso={policy.expiresAt} />
                  </td>
                  <td>
                    <Time iso={policy.lastUsedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Trusted issuers</h2>
        {issuers.length === 0 ? (
          <p>
            No trusted issuers yet: an admin adds one with <code>regauth issuers add</code> (or the admin API), then writes policies for it here.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Issuer URL</th>
                <th scope="col">Audience</th>
                <th scope="col">Keys from</th>
                <th scope="col">Replay</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {issuers.map((issuer) => (
                <tr>
                  <td>{issuer.name}</td>
                  <td>{`${issuer.kind}${issuer.multiTenant ? ' (multi-tenant: policies must pin an owner ID)' : ''}`}</td>
                  <td>
                    <code>{issuer.issuerUrl}</code>
                  </td>
                  <td>
                    <code>{issuer.audience}</code>
                  </td>
                  <td>{issuer.keySource.kind === 'jwks_uri' ? issuer.keySource.uri : issuer.keySource.kind === 'inline' ? 'an inline key set' : 'OIDC discovery'}</td>
                  <td>{issuer.replayMode === 'once' ? 'each token once' : 'the same token again gets the same credential'}</td>
                  <td>{issuer.enabled ? 'enabled' : 'disabled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });

  router.get('/trust-policies/:id', async (request, response) => {
    const session = sessionOf(response);
    const policy = await policyOfPath(federation, request);
    const issuers = await federation.issuers.list();
    sendPage(
      response,
      <Layout title={`Trust policy ${policy.name}`} session={session}>
        <dl>
          <dt>Issuer</dt>
          <dd>{issuerName(issuers, policy.issuerId)}</dd>
          <dt>When (all must hold)</dt>
          <dd>
            <Conditions policy={policy} />
          </dd>
          <dt>Grants</dt>
          <dd>
            <Grants policy={policy} />
          </dd>
          <dt>Credential lifetime</dt>
          <dd>{formatDuration(policy.credentialLifetimeSeconds * 1000)}</dd>
          <dt>Fork triggers (pull_request_target, workflow_run)</dt>
          <dd>{policy.allowForkTriggers ? 'allowed' : 'refused'}</dd>
          <dt>State</dt>
          <dd>{state(policy, now())}</dd>
          <dt>Expires</dt>
          <dd>
            <Time iso={policy.expiresAt} />
          </dd>
          <dt>Created</dt>
          <dd>
            <Time iso={policy.createdAt} />
          </dd>
          <dt>Last used</dt>
          <dd>
            <Time iso={policy.lastUsedAt} />
          </dd>
        </dl>
        {session.role !== 'admin' ? null : (
          <>
            <p>
              <a href={`${UI_PREFIX}/trust-policies/${policy.id}/edit`}>Edit</a>
            </p>
            <form method="post" action={`${UI_PREFIX}/trust-policies/${policy.id}/${policy.enabled ? 'disable' : 'enable'}`}>
              <CsrfField token={session.csrfToken} />
              <p>{policy.enabled ? 'Disabling stops new exchanges at once; credentials minted already work until they expire.' : 'Enabling lets matching tokens in again.'}</p>
              <button type="submit">{policy.enabled ? 'Disable this policy' : 'Enable this policy'}</button>
            </form>
          </>
        )}
        <p>
          <a href={`${UI_PREFIX}/trust-policies`}>All trust policies</a>
        </p>
      </Layout>,
    );
  });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`/trust-policies/:id/${verb}`, requireAdmin, requireSameOriginForm, async (request: Request, response: Response) => {
      const policy = await policyOfPath(federation, request);
      await federation.policies.update(String(policy.id), { enabled }, { actor: sessionOf(response).actor, clientIp: request.ip ?? null });
      response.redirect(303, `${UI_PREFIX}/trust-policies/${policy.id}`);
    });
  }
  return router;
}
