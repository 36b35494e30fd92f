import { Command } from 'commander';
import type { PolicyConditionsInput } from '../app/federation/trust-policy-admin.js';
import type { TrustPolicyView } from '../app/federation/trust-policy-view.js';
import { printJson, withAdmin } from './admin-session.js';
import type { CliIo } from './cli-context.js';
import { parseConditionOption } from './condition-option.js';
import { renderPolicy, renderPolicyTable } from './federation-render.js';
import { CliError } from './keys-command.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface PolicyOptions {
  name?: string;
  issuer?: string;
  githubOwnerId?: string;
  githubRepository?: string;
  githubWorkflow?: string;
  gitlabNamespaceId?: string;
  gitlabProject?: string;
  gitlabProtectedRef?: boolean;
  kubernetesNamespace?: string;
  kubernetesServiceAccount?: string;
  kubernetesUid?: string;
  environment?: string;
  ref?: string;
  condition: string[];
  repository: string[];
  scope: string[];
  lifetime?: string;
  allowForkTriggers?: boolean;
  refuseForkTriggers?: boolean;
  expires?: string;
  neverExpires?: boolean;
  disabled?: boolean;
  json?: boolean;
}

const SCOPE_HELP = 'read_registry (pull), write_registry (push, pull), delete_registry, read_catalog (needs --repository "*") (repeatable)';
const REPOSITORY_HELP = 'repository it grants: team/app (and team/app/...), team/*, team/** (repeatable)';

function withPolicyOptions(command: Command): Command {
  return command
    .option('--github-owner-id <id>', 'GitHub: repository_owner_id, the owner’s numeric ID (gh api users/OWNER --jq .id)')
    .option('--github-repository <owner/repo>', 'GitHub: repository')
    .option('--github-workflow <file>', 'GitHub: the workflow file under .github/workflows (job_workflow_ref), e.g. deploy.yml')
    .option('--gitlab-namespace-id <id>', 'GitLab: namespace_id, the group’s numeric ID')
    .option('--gitlab-project <path>', 'GitLab: project_path, e.g. group/app')
    .option('--gitlab-protected-ref', 'GitLab: only pipelines on a protected branch or tag (ref_protected)')
    .option('--kubernetes-namespace <ns>', 'Kubernetes: the pod’s namespace')
    .option('--kubernetes-service-account <name>', 'Kubernetes: its service account')
    .option('--kubernetes-uid <uid>', 'Kubernetes: the service account’s uid, pinning that one object')
    .option('--environment <name>', 'GitHub: the deployment environment (environment claim)')
    .option('--ref <ref>', 'GitHub or GitLab: the ref, e.g. refs/heads/main (GitHub) or main (GitLab)')
    .option('--condition <condition>', 'any claim: claim=value, "claim in a,b" or "claim glob x/*" (repeatable)', collect, [])
    .option('--repository <pattern>', REPOSITORY_HELP, collect, [])
    .option('--scope <scope>', SCOPE_HELP, collect, [])
    .option('--lifetime <duration>', 'life of each minted credential: 900, 15m, 1h (default 15m, at most 1h)')
    .option('--allow-fork-triggers', 'let GitHub pull_request_target and workflow_run tokens in (they run with the base repository’s identity)')
    .option('--expires <when>', 'the policy stops matching after this: a duration (90d) or a date')
    .option('--json', 'print JSON');
}

export function policiesCommand(io: CliIo, configFile: () => string | undefined): Command {
  const policies = new Command('policies').description('trust policies: which identity tokens of an issuer get which repositories');
  const run = <T>(work: Parameters<typeof withAdmin<T>>[2]) => withAdmin(io, configFile(), work);
  const print = (policy: TrustPolicyView, json: boolean | undefined, heading: string) => {
    if (json) printJson(io, policy);
    else io.stdout.write(`${heading}\n${renderPolicy(policy)}`);
  };

  withPolicyOptions(
    policies
      .command('add')
      .description('add a trust policy: tokens of the issuer whose claims meet every condition get its repositories and scopes')
      .requiredOption('--name <name>', 'a short name: a-z 0-9 . _ -')
      .requiredOption('--issuer <id-or-name>', 'the trusted issuer (regauth issuers list)')
      .option('--disabled', 'add it disabled'),
  ).action(async (options: PolicyOptions) => {
    await run(async (_admin, _keys, _config, federation) => {
      const created = await federation.policies.create({
        name: options.name as string,
        issuer: options.issuer as string,
        ...(conditionsInput(options) ?? {}),
        repositories: options.repository,
        scopes: options.scope,
        ...(options.lifetime === undefined ? {} : { credentialLifetime: options.lifetime }),
        ...(options.allowForkTriggers ? { allowForkTriggers: true } : {}),
        ...(options.expires === undefined ? {} : { expires: options.expires }),
        ...(options.disabled ? { enabled: false } : {}),
      });
      print(created, options.json, `Trust policy ${created.id} (${created.name}) added.`);
    });
  });

  policies
    .command('list')
    .description('list trust policies')
    .option('--issuer <id-or-name>', 'only the policies of this issuer')
    .option('--json', 'print JSON')
    .action(async (options: { issuer?: string; json?: boolean }) => {
      await run(async (_admin, _keys, _config, federation) => {
        const all = await federation.policies.list(options.issuer);
        if (options.json) printJson(io, all);
        else io.stdout.write(renderPolicyTable(all));
      });
    });

  policies
    .command('show')
    .description('show one trust policy by id or name')
    .argument('<id-or-name>')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await run(async (_admin, _keys, _config, federation) => {
        const policy = await federation.policies.get(reference);
        if (options.json) printJson(io, policy);
        else io.stdout.write(renderPolicy(policy));
      });
    });

  withPolicyOptions(
    policies
      .command('update')
      .description('change a trust policy; conditions given replace all its conditions; what you leave out stays')
      .argument('<id-or-name>')
      .option('--name <name>', 'new name')
      .option('--refuse-fork-triggers', 'refuse pull_request_target and workflow_run tokens again')
      .option('--never-expires', 'remove the expiry'),
  ).action(async (reference: string, options: PolicyOptions) => {
    if (options.expires !== undefined && options.neverExpires) throw new CliError('give --expires or --never-expires, not both');
    if (options.allowForkTriggers && options.refuseForkTriggers) throw new CliError('give --allow-fork-triggers or --refuse-fork-triggers, not both');
    await run(async (_admin, _keys, _config, federation) => {
      const updated = await federation.policies.update(reference, {
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(conditionsInput(options) ?? {}),
        ...(options.repository.length === 0 ? {} : { repositories: options.repository }),
        ...(options.scope.length === 0 ? {} : { scopes: options.scope }),
        ...(options.lifetime === undefined ? {} : { credentialLifetime: options.lifetime }),
        ...(options.allowForkTriggers ? { allowForkTriggers: true } : {}),
        ...(options.refuseForkTriggers ? { allowForkTriggers: false } : {}),
        ...(options.neverExpires ? { expires: null } : options.expires === undefined ? {} : { expires: options.expires }),
      });
      print(updated, options.json, `Updated trust policy ${updated.id}.`);
    });
  });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    policies
      .command(verb)
      .description(enabled ? 'let the policy match again' : 'stop the policy matching at once')
      .argument('<id-or-name>')
      .option('--json', 'print JSON')
      .action(async (reference: string, options: { json?: boolean }) => {
        await run(async (_admin, _keys, _config, federation) => {
          const updated = await federation.policies.update(reference, { enabled });
          print(updated, options.json, `Trust policy ${updated.id} (${updated.name}) is ${enabled ? 'enabled' : 'disabled'}.`);
        });
      });
  }

  return policies;
}

/** Presets from the platform options (--environment and --ref join GitHub's or GitLab's), generic conditions after. */
function conditionsInput(options: PolicyOptions): PolicyConditionsInput | null {
  const github = options.githubOwnerId !== undefined || options.githubRepository !== undefined || options.githubWorkflow !== undefined;
  const gitlab = options.gitlabNamespaceId !== undefined || options.gitlabProject !== undefined || options.gitlabProtectedRef === true;
  const kubernetes = options.kubernetesNamespace !== undefined || options.kubernetesServiceAccount !== undefined || options.kubernetesUid !== undefined;
  if (github && gitlab) throw new CliError('give GitHub or GitLab options, not both');
  if (options.environment !== undefined && gitlab) throw new CliError('--environment is a GitHub option; for GitLab use --condition environment=NAME');
  const generic = options.condition.map(parseConditionOption);
  if (!github && !gitlab) {
    if (options.environment !== undefined) generic.push({ claim: 'environment', operator: 'eq', values: [options.environment] });
    if (options.ref !== undefined) generic.push({ claim: 'ref', operator: 'eq', values: [options.ref] });
  }
  const input: PolicyConditionsInput = {
    ...(generic.length === 0 ? {} : { conditions: generic }),
    ...(github
      ? {
          github: {
            ownerId: options.githubOwnerId,
            repository: options.githubRepository,
            workflow: options.githubWorkflow,
            environment: options.environment,
            ref: options.ref,
          },
        }
      : {}),
    ...(gitlab
      ? { gitlab: { namespaceId: options.gitlabNamespaceId, project: options.gitlabProject, ref: options.ref, protectedRef: options.gitlabProtectedRef } }
      : {}),
    ...(kubernetes
      ? { kubernetes: { namespace: options.kubernetesNamespace, serviceAccount: options.kubernetesServiceAccount, uid: options.kubernetesUid } }
      : {}),
  };
  return Object.keys(input).length === 0 ? null : input;
}
