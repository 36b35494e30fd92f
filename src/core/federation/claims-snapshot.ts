import { boundAuditText } from '../audit-bounds.js';
import { REDACTED_SECRET } from '../audited-username.js';
import { escapeControlCharacters } from '../control-characters.js';
import { looksLikeSecret } from '../secret-text.js';
import type { IssuerKind } from './trusted-issuer.js';

const SUBJECT = ['sub'] as const;

/**
 * The claims that say which job, pipeline or pod a credential went to, per platform (FEDERATION.md). A path
 * names nested claims with `/`, as trust-policy conditions do.
 */
const SNAPSHOT_CLAIMS: Readonly<Record<IssuerKind, readonly string[]>> = {
  github: [
    ...SUBJECT,
    'repository',
    'repository_id',
    'repository_owner',
    'repository_owner_id',
    'ref',
    'ref_type',
    'sha',
    'run_id',
    'workflow',
    'workflow_ref',
    'job_workflow_ref',
    'event_name',
    'environment',
    'actor',
    'runner_environment',
  ],
  gitlab: [
    ...SUBJECT,
    'namespace_id',
    'namespace_path',
    'project_id',
    'project_path',
    'ref',
    'ref_type',
    'pipeline_id',
    'pipeline_source',
    'job_id',
    'environment',
    'user_login',
  ],
  kubernetes: [
    ...SUBJECT,
    'kubernetes.io/namespace',
    'kubernetes.io/serviceaccount/name',
    'kubernetes.io/serviceaccount/uid',
    'kubernetes.io/pod/name',
    'kubernetes.io/pod/uid',
    'kubernetes.io/node/name',
  ],
  generic: SUBJECT,
};

/**
 * The snapshot of a verified token's claims kept for audit: only the claims named for its issuer's kind, each
 * as text (strings as they are, integers in decimal, booleans as `true`/`false`; anything else left out),
 * cut to a bounded length with control characters escaped. A value that looks like a credential (a JWT pasted
 * into a claim) becomes a marker: the audit trail must never hold one.
 */
export function claimsSnapshot(kind: IssuerKind, claims: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const path of SNAPSHOT_CLAIMS[kind]) {
    const text = claimText(claimAt(claims, path));
    if (text !== null) snapshot[path] = auditedClaim(text);
  }
  return snapshot;
}

function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = claims;
  for (const key of path.split('/')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function claimText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

function auditedClaim(text: string): string {
  // Cut before the secret check and the escapes, so neither walks a long text.
  const bounded = boundAuditText(text.slice(0, 2 * 256));
  return looksLikeSecret(bounded) ? REDACTED_SECRET : boundAuditText(escapeControlCharacters(bounded));
}
