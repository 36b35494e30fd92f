import type { TrustedIssuerView } from '../app/federation/trusted-issuer-view.js';
import type { TrustPolicyView } from '../app/federation/trust-policy-view.js';
import type { ClaimCondition } from '../core/federation/trust-policy.js';
import { escapeControlCharacters as shown } from '../core/control-characters.js';
import { renderTable, type TableColumn } from './render.js';

function keysOf(issuer: TrustedIssuerView): string {
  switch (issuer.keySource.kind) {
    case 'discovery':
      return 'discovery';
    case 'jwks_uri':
      return issuer.keySource.uri;
    case 'inline':
      return `inline (${issuer.keySource.jwks.keys.map((key) => shown(String(key.kid))).join(', ')})`;
  }
}

export function conditionText(condition: ClaimCondition): string {
  const values = condition.values.map(shown);
  return condition.operator === 'eq' ? `${shown(condition.claim)}=${values[0]}` : `${shown(condition.claim)} ${condition.operator} ${values.join(',')}`;
}

const ISSUER_COLUMNS: readonly TableColumn<TrustedIssuerView>[] = [
  ['ID', (issuer) => String(issuer.id)],
  ['NAME', (issuer) => issuer.name],
  ['KIND', (issuer) => issuer.kind],
  ['ISSUER', (issuer) => issuer.issuerUrl],
  ['AUDIENCE', (issuer) => shown(issuer.audience)],
  ['KEYS', keysOf],
  ['REPLAY', (issuer) => issuer.replayMode],
  ['ENABLED', (issuer) => (issuer.enabled ? 'yes' : 'no')],
];

export function renderIssuerTable(issuers: readonly TrustedIssuerView[]): string {
  if (issuers.length === 0) return 'No trusted issuers yet. Add one with: regauth issuers add --help\n';
  return renderTable(ISSUER_COLUMNS, issuers);
}

export function renderIssuer(issuer: TrustedIssuerView): string {
  return [
    `  id:            ${issuer.id}`,
    `  name:          ${issuer.name}`,
    `  kind:          ${issuer.kind}${issuer.multiTenant ? ' (multi-tenant: policies must pin an owner ID)' : ''}`,
    `  issuer URL:    ${issuer.issuerUrl}`,
    `  audience:      ${shown(issuer.audience)}`,
    `  keys:          ${keysOf(issuer)}`,
    `  algorithms:    ${issuer.algorithms.join(', ')}`,
    `  leeway:        ${issuer.leewaySeconds}s`,
    `  max token age: ${issuer.maxTokenAgeSeconds === null ? 'none (exp only)' : `${issuer.maxTokenAgeSeconds}s`}`,
    `  replay:        ${issuer.replayMode}`,
    `  enabled:       ${issuer.enabled ? 'yes' : 'no'}`,
    `  created:       ${issuer.createdAt}`,
    `  updated:       ${issuer.updatedAt ?? 'never'}`,
    '',
  ].join('\n');
}

const POLICY_COLUMNS: readonly TableColumn<TrustPolicyView>[] = [
  ['ID', (policy) => String(policy.id)],
  ['NAME', (policy) => policy.name],
  ['ISSUER', (policy) => String(policy.issuerId)],
  ['CONDITIONS', (policy) => policy.conditions.map(conditionText).join(' & ')],
  ['REPOSITORIES', (policy) => policy.repositories.join(',')],
  ['SCOPES', (policy) => policy.scopes.join(',')],
  ['LIFETIME', (policy) => `${policy.credentialLifetimeSeconds}s`],
  ['ENABLED', (policy) => (policy.enabled ? 'yes' : 'no')],
  ['LAST USED', (policy) => policy.lastUsedAt ?? 'never'],
];

export function renderPolicyTable(policies: readonly TrustPolicyView[]): string {
  if (policies.length === 0) return 'No trust policies yet. Add one with: regauth policies add --help\n';
  return renderTable(POLICY_COLUMNS, policies);
}

export function renderPolicy(policy: TrustPolicyView): string {
  return [
    `  id:            ${policy.id}`,
    `  name:          ${policy.name}`,
    `  issuer:        ${policy.issuerId}`,
    '  conditions:    (all must hold)',
    ...policy.conditions.map((condition) => `    ${conditionText(condition)}`),
    `  repositories:  ${policy.repositories.join(', ')}`,
    `  scopes:        ${policy.scopes.join(', ')}`,
    `  lifetime:      ${policy.credentialLifetimeSeconds}s per credential`,
    `  fork triggers: ${policy.allowForkTriggers ? 'allowed' : 'refused'}`,
    `  expires:       ${policy.expiresAt ?? 'never'}`,
    `  enabled:       ${policy.enabled ? 'yes' : 'no'}`,
    `  created:       ${policy.createdAt}`,
    `  updated:       ${policy.updatedAt ?? 'never'}`,
    `  last used:     ${policy.lastUsedAt ?? 'never'}`,
    '',
  ].join('\n');
}
