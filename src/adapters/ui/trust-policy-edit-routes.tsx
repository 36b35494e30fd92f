import express, { type Request, type Response, type Router } from 'express';
import type { FederationAdmin } from '../../app/federation/federation-admin.js';
import type { PolicyConditionsInput } from '../../app/federation/trust-policy-admin.js';
import type { TrustedIssuerView } from '../../app/federation/trusted-issuer-view.js';
import type { TrustPolicyView } from '../../app/federation/trust-policy-view.js';
import { RegauthError } from '../../core/regauth-error.js';
import { requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';
import {
  conditionsInputOf,
  EMPTY_POLICY_FORM,
  fieldOfPolicyError,
  formErrors,
  given,
  linesOf,
  policyFormFrom,
  policyFormOf,
  type PolicyForm,
} from './trust-policy-form.js';
import { PolicyFields } from './trust-policy-fields.js';
import { policyOfPath } from './trust-policy-routes.js';

/** A refusal the person can fix by changing the form; anything else goes to the error page. */
function refusal(error: unknown): RegauthError | null {
  return error instanceof RegauthError && error.code !== 'unavailable' && error.code !== 'overloaded' ? error : null;
}

/** What the add and edit forms both set; `expires` null removes the expiry, undefined leaves it. */
function policyFieldsOf<Expires extends string | null>(form: PolicyForm, conditions: PolicyConditionsInput, expires: Expires | undefined) {
  const lifetime = given(form.lifetime);
  return {
    name: form.name,
    ...conditions,
    repositories: linesOf(form.repositories),
    scopes: form.scopes,
    ...(lifetime === undefined ? {} : { credentialLifetime: lifetime }),
    ...(expires === undefined ? {} : { expires }),
    allowForkTriggers: form.allowForkTriggers,
  };
}

/** Adding and editing trust policies (admins): the presets, extra conditions, grants, lifetime and expiry. */
export function trustPolicyEditRoutes(federation: FederationAdmin): Router {
  const router = express.Router();

  const issuerOf = async (reference: string): Promise<TrustedIssuerView | undefined> =>
    (await federation.issuers.list()).find((issuer) => String(issuer.id) === reference);

  const showCreate = async (response: Response, form: PolicyForm, errors: FieldError[], status = 200) => {
    const session = sessionOf(response);
    const issuers = await federation.issuers.list();
    sendPage(
      response,
      <Layout title="Add a trust policy" session={session}>
        <ErrorSummary errors={errors} />
        {issuers.length === 0 ? (
          <p>
            There is no trusted issuer to write a policy for: add one first with <code>regauth issuers add</code> (or the admin API).
          </p>
        ) : (
          <form method="post" action={`${UI_PREFIX}/trust-policies/new`}>
            <CsrfField token={session.csrfToken} />
            <PolicyFields form={form} issuers={issuers} creating />
            <div>
              <button type="submit">Add the policy</button>
            </div>
          </form>
        )}
      </Layout>,
      { status },
    );
  };

  const showEdit = async (response: Response, policy: TrustPolicyView, form: PolicyForm, errors: FieldError[], status = 200) => {
    const session = sessionOf(response);
    const issuer = await issuerOf(String(policy.issuerId));
    sendPage(
      response,
      <Layout title={`Edit trust policy ${policy.name}`} session={session}>
        <ErrorSummary errors={errors} />
        <p>The conditions below replace all of the policy's conditions; the presets are stored as the extra conditions they stand for.</p>
        <form method="post" action={`${UI_PREFIX}/trust-policies/${policy.id}/edit`}>
          <CsrfField token={session.csrfToken} />
          <PolicyFields form={form} issuers={[]} creating={false} expiresAt={policy.expiresAt} platform={issuer?.kind} />
          <div>
            <button type="submit">Save changes</button>
          </div>
        </form>
      </Layout>,
      { status },
    );
  };

  router.get('/trust-policies/new', requireAdmin, (_request, response) => showCreate(response, EMPTY_POLICY_FORM, []));

  router.post('/trust-policies/new', requireAdmin, requireSameOriginForm, async (request: Request, response: Response) => {
    const form = policyFormOf(request);
    const conditions = conditionsInputOf(form);
    const errors = [...formErrors(form, true), ...conditions.errors];
    if (errors.length > 0) {
      await showCreate(response, form, errors, 400);
      return;
    }
    try {
      const created = await federation.policies.create(
        { ...policyFieldsOf(form, conditions.input, given(form.expires)), issuer: form.issuer, enabled: form.enabled },
        { actor: sessionOf(response).actor, clientIp: request.ip ?? null },
      );
      response.redirect(303, `${UI_PREFIX}/trust-policies/${created.id}`);
    } catch (error) {
      const refused = refusal(error);
      if (refused === null) throw error;
      await showCreate(response, form, [{ field: fieldOfPolicyError(refused, await issuerOf(form.issuer)), message: refused.message }], 400);
    }
  });

  router.get('/trust-policies/:id/edit', requireAdmin, async (request, response) => {
    const policy = await policyOfPath(federation, request);
    await showEdit(response, policy, policyFormFrom(policy), []);
  });

  router.post('/trust-policies/:id/edit', requireAdmin, requireSameOriginForm, async (request: Request, response: Response) => {
    const policy = await policyOfPath(federation, request);
    const form = policyFormOf(request);
    const conditions = conditionsInputOf(form);
    const errors = [...formErrors(form, false), ...conditions.errors];
    if (errors.length > 0) {
      await showEdit(response, policy, form, errors, 400);
      return;
    }
    try {
      await federation.policies.update(
        String(policy.id),
        policyFieldsOf(form, conditions.input, form.neverExpires ? null : given(form.expires)),
        { actor: sessionOf(response).actor, clientIp: request.ip ?? null },
      );
      response.redirect(303, `${UI_PREFIX}/trust-policies/${policy.id}`);
    } catch (error) {
      const refused = refusal(error);
      if (refused === null) throw error;
      await showEdit(response, policy, form, [{ field: fieldOfPolicyError(refused, await issuerOf(String(policy.issuerId))), message: refused.message }], 400);
    }
  });
  return router;
}
