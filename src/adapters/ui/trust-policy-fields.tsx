import type { TrustedIssuerView } from '../../app/federation/trusted-issuer-view.js';
import { REGISTRY_SCOPES } from '../../core/deploy-token.js';
import type { IssuerKind } from '../../core/federation/trusted-issuer.js';
import type { PolicyForm } from './trust-policy-form.js';

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
