import express, { type Request, type Response, type Router } from 'express';
import type { DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
import { RegauthError } from '../../core/regauth-error.js';
import { field, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, Time, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';

const EXTEND_PRESETS: readonly (readonly [value: string, label: string])[] = [
  ['30d', '30 days from now'],
  ['90d', '90 days from now'],
  ['365d', '1 year from now'],
  ['date', 'On a date'],
  ['never', 'Never (not recommended)'],
];

/** The detail page's "Extend expiry" form: a later expiry for the same secret. */
export function ExtendForm(props: { token: DeployTokenView; csrf: string; expiry: string; expiryDate: string }) {
  const { token } = props;
  return (
    <section aria-labelledby="extend-title">
      <h2 id="extend-title">Extend expiry</h2>
      <p>
        It expires <Time iso={token.expiresAt} />. A later expiry keeps the same secret, so no client needs changing.
      </p>
      <form method="post" action={`${UI_PREFIX}/tokens/${token.id}/extend`}>
        <CsrfField token={props.csrf} />
        <label for="extend-expiry">New expiry</label>
        <select id="extend-expiry" name="expiry">
          {EXTEND_PRESETS.map(([value, label]) => (
            <option value={value} selected={value === props.expiry}>
              {label}
            </option>
          ))}
        </select>
        <label for="extend-expiryDate">Date (when "On a date")</label>
        <input id="extend-expiryDate" name="expiryDate" type="date" value={props.expiryDate} />
        <div>
          <button type="submit">Extend expiry of {token.name}</button>
        </div>
      </form>
    </section>
  );
}

/** Extending a token's expiry from its detail page; a refused date shows the form again with the reason. */
export function tokenExtendRoutes(admin: DeployTokenAdmin): Router {
  const router = express.Router();
  router.post('/tokens/:reference/extend', requireAdmin, requireSameOriginForm, async (request: Request, response: Response) => {
    const session = sessionOf(response);
    const reference = String(request.params.reference);
    const expiry = field(request, 'expiry');
    const expiryDate = field(request, 'expiryDate').trim();
    const errors: FieldError[] = [];
    if (!EXTEND_PRESETS.some(([value]) => value === expiry)) errors.push({ field: 'extend-expiry', message: 'Choose the new expiry' });
    if (expiry === 'date' && expiryDate === '') errors.push({ field: 'extend-expiryDate', message: 'Enter the new expiry date' });
    if (errors.length === 0) {
      try {
        const expires = expiry === 'never' ? null : expiry === 'date' ? expiryDate : expiry;
        const extended = await admin.extend(reference, { expires }, { actor: session.actor, clientIp: request.ip ?? null });
        response.redirect(303, `${UI_PREFIX}/tokens/${extended.id}`);
        return;
      } catch (error) {
        if (!(error instanceof RegauthError) || ['unavailable', 'overloaded', 'not_found'].includes(error.code)) throw error;
        errors.push({ field: expiry === 'date' ? 'extend-expiryDate' : 'extend-expiry', message: error.message });
      }
    }
    const token = await admin.get(reference);
    sendPage(
      response,
      <Layout title={`Extend expiry of ${token.name}`} session={session}>
        <ErrorSummary errors={errors} />
        <ExtendForm token={token} csrf={session.csrfToken} expiry={expiry} expiryDate={expiryDate} />
        <p>
          <a href={`${UI_PREFIX}/tokens/${token.id}`}>Back to the token</a>
        </p>
      </Layout>,
      { status: 400 },
    );
  });
  return router;
}
