import type { Request } from 'express';
import type { PolicyConditionsInput } from '../../app/federation/trust-policy-admin.js';
import type { TrustedIssuerView } from '../../app/federation/trusted-issuer-view.js';
import type { TrustPolicyView } from '../../app/federation/trust-policy-view.js';
import { formatDuration } from '../../core/duration.js';
import { formatConditionLine, parseConditionLine, type ConditionLine } from '../../core/federation/condition-text.js';
import type { RegauthError } from '../../core/regauth-error.js';
import { field } from './ui-context.js';
import type { FieldError } from './layout.js';

/** What the create and edit forms send, as text: kept as typed so a refused form comes back filled in. */
export interface PolicyForm {
  readonly name: string;
  readonly issuer: string;
  readonly githubOwnerId: string;
  readonly githubRepository: string;
  readonly githubWorkflow: string;
  readonly githubEnvironment: string;
  readonly githubRef: string;
  readonly gitlabNamespaceId: string;
  readonly gitlabProject: string;
  readonly gitlabRef: string;
  readonly gitlabProtectedRef: boolean;
  readonly kubernetesNamespace: string;
  readonly kubernetesServiceAccount: string;
  readonly kubernetesUid: string;
  readonly conditions: string;
  readonly repositories: string;
  readonly scopes: readonly string[];
  readonly lifetime: string;
  readonly expires: string;
  readonly neverExpires: boolean;
  readonly allowForkTriggers: boolean;
  readonly enabled: boolean;
}

const TEXT_FIELDS = [
  'name',
  'issuer',
  'githubOwnerId',
  'githubRepository',
  'githubWorkflow',
  'githubEnvironment',
  'githubRef',
  'gitlabNamespaceId',
  'gitlabProject',
  'gitlabRef',
  'kubernetesNamespace',
  'kubernetesServiceAccount',
  'kubernetesUid',
  'conditions',
  'repositories',
  'lifetime',
  'expires',
] as const;

export const EMPTY_POLICY_FORM: PolicyForm = {
  ...(Object.fromEntries(TEXT_FIELDS.map((name) => [name, ''])) as Record<(typeof TEXT_FIELDS)[number], string>),
  scopes: ['read_registry'],
  lifetime: '15m',
  gitlabProtectedRef: false,
  neverExpires: false,
  allowForkTriggers: false,
  enabled: true,
};

export function policyFormOf(request: Request): PolicyForm {
  const scopes = ((request.body ?? {}) as Record<string, unknown>).scopes;
  const checked = (name: string) => field(request, name) === 'yes';
  return {
    ...(Object.fromEntries(TEXT_FIELDS.map((name) => [name, field(request, name)])) as Record<(typeof TEXT_FIELDS)[number], string>),
    scopes: Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : typeof scopes === 'string' ? [scopes] : [],
    gitlabProtectedRef: checked('gitlabProtectedRef'),
    neverExpires: checked('neverExpires'),
    allowForkTriggers: checked('allowForkTriggers'),
    enabled: checked('enabled'),
  };
}

/** The form of an existing policy: its conditions as generic lines (presets are stored as what they stand for). */
export function policyFormFrom(policy: TrustPolicyView): PolicyForm {
  return {
    ...EMPTY_POLICY_FORM,
    name: policy.name,
    issuer: String(policy.issuerId),
    conditions: policy.conditions.map(formatConditionLine).join('\n'),
    repositories: policy.repositories.join('\n'),
    scopes: policy.scopes,
    lifetime: formatDuration(policy.credentialLifetimeSeconds * 1000),
    allowForkTriggers: policy.allowForkTriggers,
    enabled: policy.enabled,
  };
}

export const linesOf = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
/** Trimmed text, or undefined when the field was left empty. */
export const given = (text: string) => (text.trim() === '' ? undefined : text.trim());

/** The presets filled in and the generic lines, or the lines that are not conditions. */
export function conditionsInputOf(form: PolicyForm): { input: PolicyConditionsInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const conditions: ConditionLine[] = [];
  linesOf(form.conditions).forEach((line, index) => {
    const parsed = parseConditionLine(line);
    if (parsed === null) errors.push({ field: 'conditions', message: `Extra condition on line ${index + 1}: write claim=value, claim in a,b or claim glob x/*` });
    else conditions.push(parsed);
  });
  const github = {
    ownerId: given(form.githubOwnerId),
    repository: given(form.githubRepository),
    workflow: given(form.githubWorkflow),
    environment: given(form.githubEnvironment),
    ref: given(form.githubRef),
  };
  const gitlab = {
    namespaceId: given(form.gitlabNamespaceId),
    project: given(form.gitlabProject),
    ref: given(form.gitlabRef),
    protectedRef: form.gitlabProtectedRef ? true : undefined,
  };
  const kubernetes = { namespace: given(form.kubernetesNamespace), serviceAccount: given(form.kubernetesServiceAccount), uid: given(form.kubernetesUid) };
  const any = (preset: Record<string, unknown>) => Object.values(preset).some((value) => value !== undefined);
  return {
    input: {
      conditions,
      ...(any(github) ? { github } : {}),
      ...(any(gitlab) ? { gitlab } : {}),
      ...(any(kubernetes) ? { kubernetes } : {}),
    },
    errors,
  };
}

/** What the form itself can tell before the use case is asked. */
export function formErrors(form: PolicyForm, creating: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (form.name.trim() === '') errors.push({ field: 'name', message: 'Enter a name' });
  if (creating && form.issuer === '') errors.push({ field: 'issuer', message: 'Choose the trusted issuer' });
  if (linesOf(form.repositories).length === 0) errors.push({ field: 'repositories', message: 'Enter at least one repository pattern' });
  if (form.scopes.length === 0) errors.push({ field: 'scopes', message: 'Choose what the credential may do' });
  if (form.neverExpires && form.expires.trim() !== '') errors.push({ field: 'expires', message: 'Enter a new expiry or remove it, not both' });
  return errors;
}

/**
 * The field a refusal from the use case is about, for the error summary's link: by its error code, and for
 * the use case's general `invalid_input` by what its message is about. The message itself is shown as is.
 */
export function fieldOfPolicyError(error: RegauthError, issuer: TrustedIssuerView | undefined): string {
  switch (error.code) {
    case 'name_taken':
      return 'name';
    case 'not_found':
      return 'issuer';
    case 'invalid_expiry':
      return 'expires';
    case 'invalid_repository':
      return 'repositories';
    case 'invalid_token_scope':
      return 'scopes';
  }
  const message = error.message;
  if (message.includes('multi-tenant')) return issuer?.kind === 'gitlab' ? 'gitlabNamespaceId' : issuer?.kind === 'github' ? 'githubOwnerId' : 'conditions';
  if (message.includes('lifetime')) return 'lifetime';
  if (message.includes('repositor')) return 'repositories';
  if (message.includes('scope') || message.includes('read_catalog')) return 'scopes';
  if (message.includes('GitHub')) return 'github';
  if (message.includes('GitLab')) return 'gitlab';
  if (message.includes('Kubernetes') || message.includes('service account')) return 'kubernetes';
  if (message.includes('trust policy')) return 'name';
  return 'conditions';
}
