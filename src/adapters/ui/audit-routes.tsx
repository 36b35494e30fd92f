import express, { type Router } from 'express';
import { AuditFilterError, type AuditEventView, type AuditQueryInput, type DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import { AUDIT_EVENT_TYPES } from '../../app/ports.js';
import { RegauthError } from '../../core/regauth-error.js';
import { queryText, sessionOf } from './ui-context.js';
import { ErrorSummary, Layout, Time, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';
import { auditAccessSummary } from './audit-access-summary.js';

const NUMERIC = /^[1-9][0-9]{0,14}$/;

/** The deploy token of an event, or the trust policy it names (a policy change, a minted credential), as links. */
function TokenOrPolicy({ item }: { readonly item: AuditEventView }) {
  if (item.tokenId !== null) return <a href={`${UI_PREFIX}/tokens/${item.tokenId}`}>{item.username ?? item.tokenId}</a>;
  const { policyId, policy } = item.details;
  if (typeof policyId !== 'number' || !Number.isSafeInteger(policyId) || policyId < 1) return <>{item.username ?? '—'}</>;
  return (
    <>
      {item.username === null ? null : `${item.username}, `}
      <a href={`${UI_PREFIX}/trust-policies/${policyId}`}>{`policy ${typeof policy === 'string' ? policy : policyId}`}</a>
    </>
  );
}

/** The filter field a refused query is about, for the error summary's link. */
function filterOf(error: RegauthError): string {
  if (error instanceof AuditFilterError) return error.filter;
  if (error.code === 'not_found') return 'token';
  return error.code === 'invalid_since' ? 'since' : 'event';
}

/** The audit log, newest first, filtered by event, token, actor and time range; each row links to its token or policy. */
export function auditRoutes(admin: DeployTokenAdmin): Router {
  const router = express.Router();
  router.get('/audit', async (request, response) => {
    const event = queryText(request, 'event');
    const token = queryText(request, 'token').trim();
    const actor = queryText(request, 'actor').trim();
    const since = queryText(request, 'since').trim();
    const until = queryText(request, 'until').trim();
    const before = queryText(request, 'before');
    const input: AuditQueryInput = {
      limit: 100,
      ...(event === '' ? {} : { event }),
      ...(token === '' ? {} : { token }),
      ...(actor === '' ? {} : { actor }),
      ...(since === '' ? {} : { since }),
      ...(until === '' ? {} : { until }),
      ...(NUMERIC.test(before) ? { before: Number(before) } : {}),
    };
    const errors: FieldError[] = [];
    let page: Awaited<ReturnType<DeployTokenAdmin['audit']>> = { items: [], next: null };
    try {
      page = await admin.audit(input);
    } catch (error) {
      if (!(error instanceof RegauthError) || error.code === 'unavailable' || error.code === 'overloaded') throw error;
      errors.push({ field: filterOf(error), message: error.message });
    }
    const next = new URLSearchParams({ event, token, actor, since, until, before: String(page.next ?? '') });
    sendPage(
      response,
      <Layout title="Audit log" session={sessionOf(response)}>
        <ErrorSummary errors={errors} />
        <form method="get" action={`${UI_PREFIX}/audit`} role="search">
          <label for="event">Event</label>
          <select id="event" name="event">
            <option value="">any</option>
            {AUDIT_EVENT_TYPES.map((type) => (
              <option value={type} selected={type === event}>
                {type}
              </option>
            ))}
          </select>
          <label for="token">Token (id or username)</label>
          <input id="token" name="token" value={token} />
          <label for="actor">By (part of the actor: a key name, an email, "via ui", "cli")</label>
          <input id="actor" name="actor" value={actor} maxlength={200} />
          <label for="since">Since (24h, 7d or a date)</label>
          <input id="since" name="since" value={since} />
          <label for="until">Until (24h, 7d or a date; events before it)</label>
          <input id="until" name="until" value={until} />
          <div>
            <button type="submit">Filter</button>
          </div>
        </form>
        {page.items.length === 0 ? (
          <p>No events match.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">Token or policy</th>
                <th scope="col">Client address</th>
                <th scope="col">Access</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => (
                <tr>
                  <td>
                    <Time iso={item.occurredAt} />
                  </td>
                  <td>{item.event}</td>
                  <td>{item.actor ?? '—'}</td>
                  <td>
                    <TokenOrPolicy item={item} />
                  </td>
                  <td>{item.clientIp ?? '—'}</td>
                  <td>{auditAccessSummary(item.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.next === null ? null : <a href={`${UI_PREFIX}/audit?${next.toString()}`}>Older events</a>}
      </Layout>,
    );
  });
  return router;
}
