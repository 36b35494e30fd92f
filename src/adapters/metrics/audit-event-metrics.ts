import type { AuditEvent } from '../../app/ports.js';

export type AuditCounter =
  | 'audit_events'
  | 'tokens_issued'
  | 'access_granted'
  | 'access_refused'
  | 'login_failures'
  | 'lockouts'
  | 'federation_exchanges';

export interface CounterIncrement {
  readonly counter: AuditCounter;
  readonly labels: Readonly<Record<string, string>>;
  readonly by: number;
}

/** The reason the brute-force protection gives when it refuses a login. */
export const LOCKOUT_REASON = 'too_many_attempts';

const GRANTS: ReadonlySet<string> = new Set(['password', 'refresh_token', 'anonymous']);
const RESOURCE_TYPES: ReadonlySet<string> = new Set(['repository', 'registry']);
const ACTIONS: ReadonlySet<string> = new Set(['pull', 'push', 'delete', '*']);
/** Reasons are error codes defined in this code base; the pattern only keeps a malformed one out of a label. */
const REASON = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * The counter increments one audit event makes. Label values come from small fixed sets (anything else is
 * `other`): never a repository name, username or client address, whose number has no bound.
 */
export function counterIncrementsFor(event: AuditEvent): CounterIncrement[] {
  const increments: CounterIncrement[] = [{ counter: 'audit_events', labels: { event: event.event }, by: 1 }];
  if (event.event === 'token.issued') {
    const granted = accessEntries(event.details.granted);
    const refused = accessEntries(event.details.refused);
    const grant = oneOf(GRANTS, event.details.grant);
    increments.push({ counter: 'tokens_issued', labels: { outcome: outcomeOf(granted.length, refused.length), grant }, by: 1 });
    increments.push(...actionCounts('access_granted', granted), ...actionCounts('access_refused', refused));
  } else if (event.event === 'auth.failed') {
    const reason = typeof event.details.reason === 'string' && REASON.test(event.details.reason) ? event.details.reason : 'other';
    increments.push({ counter: 'login_failures', labels: { reason, grant: oneOf(GRANTS, event.details.grant) }, by: 1 });
    if (reason === LOCKOUT_REASON) increments.push({ counter: 'lockouts', labels: {}, by: 1 });
  } else if (event.event === 'federated_credential.minted') {
    increments.push({ counter: 'federation_exchanges', labels: { outcome: 'minted', issuer: issuerLabel(event.details.issuer) }, by: 1 });
  } else if (event.event === 'federation.refused') {
    const reason = typeof event.details.reason === 'string' && REASON.test(event.details.reason) ? event.details.reason : 'other';
    increments.push({ counter: 'federation_exchanges', labels: { outcome: reason, issuer: issuerLabel(event.details.issuer) }, by: 1 });
  }
  return increments;
}

/** `no_scope`: nothing was asked (docker login, the registry's /v2/ check). */
function outcomeOf(granted: number, refused: number): string {
  if (refused === 0) return granted === 0 ? 'no_scope' : 'granted';
  return granted === 0 ? 'denied' : 'partial';
}

interface Entry {
  readonly type: string;
  readonly actions: readonly string[];
}

function accessEntries(value: unknown): Entry[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { type, actions } = item as { type?: unknown; actions?: unknown };
    if (typeof type !== 'string' || !Array.isArray(actions)) return [];
    return [{ type, actions: actions.filter((action): action is string => typeof action === 'string') }];
  });
}

/** One increment per (type, action), by the number of resources it was granted (or refused) on. */
function actionCounts(counter: AuditCounter, entries: readonly Entry[]): CounterIncrement[] {
  const counts = new Map<string, { type: string; action: string; by: number }>();
  for (const entry of entries) {
    const type = oneOf(RESOURCE_TYPES, entry.type);
    for (const raw of entry.actions) {
      const action = oneOf(ACTIONS, raw);
      const key = `${type} ${action}`;
      const existing = counts.get(key);
      if (existing === undefined) counts.set(key, { type, action, by: 1 });
      else existing.by += 1;
    }
  }
  return [...counts.values()].map(({ type, action, by }) => ({ counter, labels: { type, action }, by }));
}

function oneOf(known: ReadonlySet<string>, value: unknown): string {
  return typeof value === 'string' && known.has(value) ? value : 'other';
}

/**
 * A trusted issuer's name: only names of configured issuers reach an audit event (an untrusted `iss` is
 * refused before one is known), so their number is bounded by the configuration.
 */
function issuerLabel(value: unknown): string {
  return typeof value === 'string' && REASON_OR_NAME.test(value) ? value : 'none';
}

const REASON_OR_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
