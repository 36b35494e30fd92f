import type { RegistryScope } from '../../core/deploy-token.js';
import type { ClaimCondition } from '../../core/federation/trust-policy.js';

const CLAIM_LABELS: Readonly<Record<string, string>> = {
  repository_owner_id: 'GitHub owner ID',
  repository: 'repository',
  environment: 'environment',
  ref: 'ref',
  namespace_id: 'GitLab namespace ID',
  project_path: 'GitLab project',
  'kubernetes.io/namespace': 'Kubernetes namespace',
  'kubernetes.io/serviceaccount/name': 'service account',
  'kubernetes.io/serviceaccount/uid': 'service account uid',
};

const SCOPE_WORDS: Readonly<Record<RegistryScope, string>> = {
  read_registry: 'pull',
  write_registry: 'push and pull',
  delete_registry: 'delete',
  read_catalog: 'list the catalog',
};

export function scopeWords(scopes: readonly RegistryScope[]): string {
  return scopes.map((scope) => SCOPE_WORDS[scope]).join(', ');
}

/** A condition as a sentence: "GitHub owner ID is 1234", "ref is one of main, develop". */
export function conditionWords(condition: ClaimCondition): string {
  const label = CLAIM_LABELS[condition.claim] ?? `claim ${condition.claim}`;
  if (condition.claim === 'ref_protected' && condition.operator === 'eq') {
    return condition.values[0] === 'true' ? 'the ref is protected' : 'the ref is not protected';
  }
  const workflow = condition.claim === 'job_workflow_ref' && condition.operator === 'glob' ? workflowAtAnyRef(condition.values) : null;
  if (workflow !== null) return `workflow ${workflow} at any ref`;
  switch (condition.operator) {
    case 'eq':
      return `${label} is ${condition.values[0] ?? ''}`;
    case 'in':
      return `${label} is one of ${condition.values.join(', ')}`;
    case 'glob':
      return `${label} matches ${condition.values.join(' or ')}`;
  }
}

/** The GitHub preset's workflow condition (one glob per depth of ref) names one file: which, or null. */
function workflowAtAnyRef(values: readonly string[]): string | null {
  const first = values[0];
  if (first === undefined) return null;
  const at = first.lastIndexOf('@');
  if (at < 0) return null;
  const file = first.slice(0, at);
  const starsOnly = (ref: string) => ref.split('/').every((part) => part === '*');
  return values.every((value) => value.startsWith(`${file}@`) && starsOnly(value.slice(file.length + 1))) ? file : null;
}
