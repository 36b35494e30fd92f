import type { Request } from 'express';
import type { PolicyConditionsInput } from '../../app/federation/trust-policy-admin.js';
import type { TrustedIssuerView } from '../../app/federation/trusted-issuer-view.js';
import type { TrustPolicyView } from '../../app/federation/trust-policy-view.js';
import { REGISTRY_SCOPES } from '../../core/deploy-token.js';
import type { IssuerKind } from '../../core/federation/trusted-issuer.js';
import { formatDuration } from '../../core/duration.js';
import { formatConditionLine, parseConditionLine, type ConditionLine } from '../../core/federation/condition-text.js';
import { RegauthError } from '../../core/regauth-error.js';
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
const given = (text: string) => (text.trim() === '' ? undefined : text.trim());

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

const SCOPE_LABELS: Readonly<Record<(typeof REGISTRY_SCOPES)[number], string>> = {
  read_registry: 'Pull images',
  write_registry: 'Push images (and pull)',
  delete_registry: 'Delete images',
  read_catalog: 'List the catalog (only with the repository *)',
};

function TextField(props: { name: keyof PolicyForm; label: string; value: string; hint?: string; inputMode?: 'numeric' }) {
  const hintId = `${props.name}-hint`;
  return (
    <>
      <label for={props.name}>{props.label}</label>
      {props.hint === undefined ? null : <p id={hintId}>{props.hint}</p>}
      <input
        id={props.name}
        name={props.name}
        value={props.value}
        maxlength={255}
        {...(props.inputMode === undefined ? {} : { inputmode: props.inputMode })}
        {...(props.hint === undefined ? {} : { 'aria-describedby': hintId })}
      />
    </>
  );
}

/**
 * The fields of both forms: issuer (creating only), presets, extra conditions, grants, lifetime and expiry.
 * Editing knows the issuer's kind and offers only its platform's preset; creating offers all three.
 */
export function PolicyFields(props: {
  form: PolicyForm;
  issuers: readonly TrustedIssuerView[];
  creating: boolean;
  expiresAt?: string | null;
  platform?: IssuerKind | undefined;
}) {
  const { form } = props;
  const offers = (kind: IssuerKind) => props.platform === undefined || props.platform === kind;
  return (
    <>
      <label for="name">Name</label>
      <p id="name-hint">Letters a-z, digits, dot, underscore and dash: for example github-acme-deploy.</p>
      <input id="name" name="name" value={form.name} required maxlength={64} aria-describedby="name-hint" />
      {props.creating ? (
        <>
          <label for="issuer">Trusted issuer</label>
          <select id="issuer" name="issuer" required>
            <option value="">Choose…</option>
            {props.issuers.map((issuer) => (
              <option value={String(issuer.id)} selected={String(issuer.id) === form.issuer}>
                {`${issuer.name} (${issuer.kind}${issuer.multiTenant ? ', multi-tenant: pin an owner ID' : ''})`}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <p>A token gets the grants only when every condition below holds. Fill in the platform of the issuer; empty fields are not conditions.</p>
      {!offers('github') ? null : (
        <fieldset id="github">
          <legend>GitHub Actions</legend>
          <TextField name="githubOwnerId" label="Owner ID" value={form.githubOwnerId} inputMode="numeric" hint="The numeric ID of the user or organisation (gh api users/OWNER --jq .id): names can be re-registered, IDs cannot." />
          <TextField name="githubRepository" label="Repository (OWNER/REPO)" value={form.githubRepository} />
          <TextField name="githubWorkflow" label="Workflow file" value={form.githubWorkflow} hint="A file under .github/workflows, such as deploy.yml; needs the repository." />
          <TextField name="githubEnvironment" label="Environment" value={form.githubEnvironment} />
          <TextField name="githubRef" label="Ref" value={form.githubRef} hint="A full ref, such as refs/heads/main." />
        </fieldset>
      )}
      {!offers('gitlab') ? null : (
        <fieldset id="gitlab">
          <legend>GitLab CI</legend>
          <TextField name="gitlabNamespaceId" label="Namespace ID" value={form.gitlabNamespaceId} inputMode="numeric" hint="The group's numeric ID." />
          <TextField name="gitlabProject" label="Project (GROUP/PROJECT)" value={form.gitlabProject} />
          <TextField name="gitlabRef" label="Ref" value={form.gitlabRef} hint="A branch or tag name, such as main." />
          <label>
            <input type="checkbox" name="gitlabProtectedRef" value="yes" checked={form.gitlabProtectedRef} /> Only pipelines on a protected branch or tag
          </label>
        </fieldset>
      )}
      {!offers('kubernetes') ? null : (
        <fieldset id="kubernetes">
          <legend>Kubernetes</legend>
          <TextField name="kubernetesNamespace" label="Namespace" value={form.kubernetesNamespace} />
          <TextField name="kubernetesServiceAccount" label="Service account" value={form.kubernetesServiceAccount} />
          <TextField name="kubernetesUid" label="Service account uid (optional)" value={form.kubernetesUid} hint="Pins that one object: one deleted and made again under the same name gets a new uid." />
        </fieldset>
      )}
      <label for="conditions">Extra conditions, one a line</label>
      <p id="conditions-hint">Any claim: claim=value, claim in a,b or claim glob x/* (a * never crosses / or :). For example runner_environment=github-hosted.</p>
      <textarea id="conditions" name="conditions" rows={4} aria-describedby="conditions-hint">
        {form.conditions}
      </textarea>
      <label for="repositories">Repositories it grants, one pattern a line</label>
      <p id="repositories-hint">team/app is that repository (and team/app/...); team/* one level under team/; team/** everything under team/.</p>
      <textarea id="repositories" name="repositories" rows={3} aria-describedby="repositories-hint">
        {form.repositories}
      </textarea>
      <fieldset id="scopes">
        <legend>What the credential lets a client do</legend>
        {REGISTRY_SCOPES.map((scope) => (
          <label>
            <input type="checkbox" name="scopes" value={scope} checked={form.scopes.includes(scope)} /> {SCOPE_LABELS[scope]}
          </label>
        ))}
      </fieldset>
      <TextField name="lifetime" label="Credential lifetime" value={form.lifetime} hint="How long each minted credential works: 60 seconds to 1h, 15m by default." />
      {props.creating ? (
        <TextField name="expires" label="Policy expires (optional)" value={form.expires} hint="A duration such as 90d, or a date such as 2027-01-31; empty: never." />
      ) : (
        <>
          <TextField name="expires" label="New expiry (optional)" value={form.expires} hint={`Now: ${props.expiresAt ?? 'never'}. A duration such as 90d or a date; empty keeps it.`} />
          <label>
            <input type="checkbox" name="neverExpires" value="yes" checked={form.neverExpires} /> Remove the expiry
          </label>
        </>
      )}
      <label>
        <input type="checkbox" name="allowForkTriggers" value="yes" checked={form.allowForkTriggers} /> Let GitHub pull_request_target and workflow_run tokens in (not
        recommended: forks can start them)
      </label>
      {props.creating ? (
        <label>
          <input type="checkbox" name="enabled" value="yes" checked={form.enabled} /> Enabled
        </label>
      ) : null}
    </>
  );
}
