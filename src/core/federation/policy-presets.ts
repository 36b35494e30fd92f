import { FederationConfigError } from './federation-error.js';
import type { ClaimCondition } from './trust-policy.js';

/** GitHub Actions: pin the owner by ID; the workflow is a file under .github/workflows of `repository`. */
export interface GithubPreset {
  readonly ownerId?: string | undefined;
  /** OWNER/REPO. */
  readonly repository?: string | undefined;
  /** A file name such as `deploy.yml`, matched against `job_workflow_ref`. */
  readonly workflow?: string | undefined;
  readonly environment?: string | undefined;
  readonly ref?: string | undefined;
}

export interface GitlabPreset {
  readonly namespaceId?: string | undefined;
  /** GROUP/PROJECT, subgroups allowed. */
  readonly project?: string | undefined;
  readonly ref?: string | undefined;
  readonly protectedRef?: boolean | undefined;
}

export interface KubernetesPreset {
  readonly namespace?: string | undefined;
  readonly serviceAccount?: string | undefined;
  /** Pins one service account object: one deleted and made again under the same name gets a new uid. */
  readonly uid?: string | undefined;
}

export type PolicyPreset =
  | { readonly kind: 'github'; readonly github: GithubPreset }
  | { readonly kind: 'gitlab'; readonly gitlab: GitlabPreset }
  | { readonly kind: 'kubernetes'; readonly kubernetes: KubernetesPreset };

/**
 * A git ref has `/` in it (`refs/heads/release/1.2`) and a glob's `*` never crosses one, so a workflow at
 * any ref is one glob per depth of ref, up to this many components.
 */
export const MAX_WORKFLOW_REF_DEPTH = 8;

const MAX_VALUE_LENGTH = 255;
const MAX_ID_DIGITS = 20;
const GITHUB_NAME_CHARACTERS = /^[A-Za-z0-9._-]+$/;
const WORKFLOW_FILE = /^[A-Za-z0-9._-]+\.ya?ml$/;

/** The generic conditions a preset stands for; they are what is stored and evaluated. */
export function presetConditions(preset: PolicyPreset): ClaimCondition[] {
  switch (preset.kind) {
    case 'github':
      return githubConditions(preset.github);
    case 'gitlab':
      return gitlabConditions(preset.gitlab);
    case 'kubernetes':
      return kubernetesConditions(preset.kubernetes);
  }
}

function githubConditions(preset: GithubPreset): ClaimCondition[] {
  const conditions: ClaimCondition[] = [];
  if (preset.ownerId !== undefined) conditions.push(eq('repository_owner_id', decimalId(preset.ownerId, 'GitHub owner ID')));
  if (preset.repository !== undefined) conditions.push(eq('repository', githubRepository(preset.repository)));
  if (preset.workflow !== undefined) conditions.push(workflowCondition(preset.repository, preset.workflow));
  if (preset.environment !== undefined) conditions.push(eq('environment', text(preset.environment, 'GitHub environment')));
  if (preset.ref !== undefined) conditions.push(eq('ref', gitRef(preset.ref)));
  return conditions;
}

/**
 * job_workflow_ref, not workflow_ref: in a reusable workflow it names the file that actually runs. Its ref is
 * that file's, which need not be the run's `ref`, so the workflow is matched at any ref.
 */
function workflowCondition(repository: string | undefined, workflow: string): ClaimCondition {
  if (repository === undefined) throw new FederationConfigError('a GitHub workflow needs its repository (OWNER/REPO) too');
  if (workflow.length > MAX_VALUE_LENGTH || !WORKFLOW_FILE.test(workflow)) {
    throw new FederationConfigError(
      `invalid GitHub workflow "${workflow.slice(0, 80)}": give the file name under .github/workflows, such as deploy.yml`,
    );
  }
  const file = `${repository}/.github/workflows/${workflow}@`;
  const anyRef = Array.from({ length: MAX_WORKFLOW_REF_DEPTH }, (_, depth) => `${file}${Array(depth + 1).fill('*').join('/')}`);
  return { claim: 'job_workflow_ref', operator: 'glob', values: anyRef };
}

function gitlabConditions(preset: GitlabPreset): ClaimCondition[] {
  const conditions: ClaimCondition[] = [];
  if (preset.namespaceId !== undefined) conditions.push(eq('namespace_id', decimalId(preset.namespaceId, 'GitLab namespace ID')));
  if (preset.project !== undefined) conditions.push(eq('project_path', gitlabProject(preset.project)));
  if (preset.ref !== undefined) conditions.push(eq('ref', text(preset.ref, 'GitLab ref')));
  if (preset.protectedRef !== undefined) conditions.push(eq('ref_protected', preset.protectedRef ? 'true' : 'false'));
  return conditions;
}

function kubernetesConditions(preset: KubernetesPreset): ClaimCondition[] {
  const conditions: ClaimCondition[] = [];
  if (preset.namespace !== undefined) conditions.push(eq('kubernetes.io/namespace', text(preset.namespace, 'Kubernetes namespace')));
  if (preset.serviceAccount !== undefined) {
    conditions.push(eq('kubernetes.io/serviceaccount/name', text(preset.serviceAccount, 'Kubernetes service account')));
  }
  if (preset.uid !== undefined) conditions.push(eq('kubernetes.io/serviceaccount/uid', text(preset.uid, 'service account uid')));
  return conditions;
}

function eq(claim: string, value: string): ClaimCondition {
  return { claim, operator: 'eq', values: [value] };
}

/** Owner and namespace IDs are decimal numbers; a leading zero would never equal the claim's text. */
function decimalId(value: string, what: string): string {
  const digits = value.length > 0 && value.length <= MAX_ID_DIGITS && [...value].every((c) => c >= '0' && c <= '9');
  if (!digits || (value.length > 1 && value.startsWith('0'))) {
    throw new FederationConfigError(`invalid ${what} "${value.slice(0, 40)}": it is a number such as 1234567, not a name`);
  }
  return value;
}

function githubRepository(value: string): string {
  const parts = value.split('/');
  const valid =
    value.length <= MAX_VALUE_LENGTH &&
    parts.length === 2 &&
    parts.every((part) => GITHUB_NAME_CHARACTERS.test(part) && part !== '.' && part !== '..');
  if (!valid) throw new FederationConfigError(`invalid GitHub repository "${value.slice(0, 80)}": give OWNER/REPO, such as acme/app`);
  return value;
}

function gitlabProject(value: string): string {
  const parts = value.split('/');
  const valid = value.length <= MAX_VALUE_LENGTH && parts.length >= 2 && parts.every((part) => GITHUB_NAME_CHARACTERS.test(part));
  if (!valid) throw new FederationConfigError(`invalid GitLab project "${value.slice(0, 80)}": give GROUP/PROJECT, such as acme/app`);
  return value;
}

function gitRef(value: string): string {
  if (!value.startsWith('refs/') || value.length > MAX_VALUE_LENGTH || value.includes('*') || value.includes(':')) {
    throw new FederationConfigError(`invalid GitHub ref "${value.slice(0, 80)}": give a full ref such as refs/heads/main`);
  }
  return value;
}

function text(value: string, what: string): string {
  if (value.length === 0 || value.length > MAX_VALUE_LENGTH) {
    throw new FederationConfigError(`invalid ${what}: give 1 to ${MAX_VALUE_LENGTH} characters`);
  }
  return value;
}
