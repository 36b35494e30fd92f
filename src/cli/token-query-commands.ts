import { Command, Option } from 'commander';
import type { DeployTokenAdmin, ListDeployTokensInput } from '../app/deploy-token-admin.js';
import type { DeployTokenView } from '../app/deploy-token-view.js';
import { testRepositoryPatterns } from '../app/pattern-test.js';
import { REGISTRY_SCOPES } from '../core/deploy-token.js';
import { DEPLOY_TOKEN_SORT_FIELDS } from '../core/deploy-token-sort.js';
import type { CliIo } from './cli-context.js';
import { printJson } from './admin-session.js';
import { CliError } from './keys-command.js';
import { pageRange, renderToken, renderTokenTable } from './render.js';

type RunWithAdmin = <T>(work: (admin: DeployTokenAdmin) => Promise<T>) => Promise<T>;

const DAYS = /^([1-9][0-9]{0,4})d?$/;
const PAGE = /^[1-9][0-9]{0,8}$/;
const DEFAULT_PAGE_SIZE = 50;
const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface ListOptions {
  search?: string;
  status?: 'active' | 'expired' | 'revoked';
  scope?: string;
  expiringWithin?: string;
  unusedFor?: string;
  covers?: string;
  repository?: string;
  sort?: string;
  page?: string;
  pageSize?: string;
  json?: boolean;
}

/** `30` or `30d`: whole days. */
function days(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const match = DAYS.exec(text.trim());
  if (match === null) throw new CliError(`invalid ${option} "${text.slice(0, 20)}": use a number of days such as 30 or 30d`);
  return Number(match[1]);
}

function positive(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!PAGE.test(text.trim())) throw new CliError(`invalid ${option} "${text.slice(0, 20)}": use a whole number from 1`);
  return Number(text.trim());
}

export function tokenListCommand(run: RunWithAdmin, io: CliIo): Command {
  return new Command('list')
    .description('list deploy tokens (never their secrets), all of them or one --page')
    .option('--search <text>', 'text in the name, username or a repository pattern')
    .addOption(new Option('--status <status>', 'only tokens in this state').choices(['active', 'expired', 'revoked']))
    .addOption(new Option('--scope <scope>', 'only tokens with this scope').choices(REGISTRY_SCOPES))
    .option('--expiring-within <days>', 'only tokens not yet expired that expire within this many days')
    .option('--unused-for <days>', 'only tokens not used for this many days (never used counts once the token is that old)')
    .option('--covers <repository>', 'only tokens whose patterns cover this repository')
    .addOption(new Option('--repository <repository>', 'the same as --covers').hideHelp())
    .option('--sort <field[:asc|desc]>', `${DEPLOY_TOKEN_SORT_FIELDS.join(', ')}, e.g. expires:desc (default created:asc)`)
    .option('--page <n>', `print only this page (of --page-size, default ${DEFAULT_PAGE_SIZE}) and the total`)
    .option('--page-size <n>', 'tokens per page with --page (at most 1000)')
    .option('--json', 'print JSON')
    .action(async (options: ListOptions) => {
      if (options.covers !== undefined && options.repository !== undefined) throw new CliError('give --covers or --repository, not both');
      const page = positive(options.page, '--page');
      const pageSize = positive(options.pageSize, '--page-size') ?? DEFAULT_PAGE_SIZE;
      if (options.pageSize !== undefined && page === undefined) throw new CliError('--page-size needs --page');
      const filters: ListDeployTokensInput = {
        search: options.search,
        status: options.status,
        scope: options.scope,
        expiringWithinDays: days(options.expiringWithin, '--expiring-within'),
        unusedForDays: days(options.unusedFor, '--unused-for'),
        covers: options.covers ?? options.repository,
        sort: options.sort,
      };
      await run(async (admin) => {
        if (page !== undefined) {
          const found = await admin.list({ ...filters, offset: (page - 1) * pageSize, limit: pageSize });
          if (options.json) printJson(io, found);
          else io.stdout.write(`${renderTokenTable(found.items)}${pageRange(found.offset, found.items.length, found.total)}\n`);
          return;
        }
        const all: DeployTokenView[] = [];
        let total = 0;
        do {
          const found = await admin.list({ ...filters, offset: all.length, limit: 1_000 });
          all.push(...found.items);
          total = found.total;
          if (found.items.length === 0) break;
        } while (all.length < total);
        if (options.json) printJson(io, all);
        else io.stdout.write(renderTokenTable(all));
      });
    });
}

interface ExtendOptions {
  expiresIn?: string;
  expiresAt?: string;
  never?: boolean;
  json?: boolean;
}

export function tokenExtendCommand(run: RunWithAdmin, io: CliIo): Command {
  return new Command('extend')
    .description('give a deploy token a later expiry; its secret stays the same, so no client needs changing')
    .argument('<id-or-username>')
    .option('--expires-in <duration>', 'the new expiry as a duration from now: 30d, 12h, 2w, 1y')
    .option('--expires-at <date>', 'the new expiry as a date (2027-01-31) or an RFC 3339 time')
    .option('--never', 'remove the expiry')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: ExtendOptions) => {
      const given = [options.expiresIn, options.expiresAt, options.never ? 'never' : undefined].filter((value) => value !== undefined);
      if (given.length !== 1) throw new CliError('give exactly one of --expires-in, --expires-at and --never');
      await run(async (admin) => {
        const extended = await admin.extend(reference, { expires: options.never ? null : (given[0] as string) });
        if (options.json) printJson(io, extended);
        else io.stdout.write(`Extended deploy token ${extended.id}: it expires ${extended.expiresAt ?? 'never'}.\n${renderToken(extended)}`);
      });
    });
}

export function tokenTestPatternCommand(io: CliIo): Command {
  return new Command('test-pattern')
    .description('show which repositories a set of patterns covers (nothing is created or changed)')
    .argument('<pattern...>', 'repository patterns: team/app, team/*, team/**, *')
    .option('--repository <name>', 'a repository name to test (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action((patterns: string[], options: { repository: string[]; json?: boolean }) => {
      const result = testRepositoryPatterns({ patterns, repositories: options.repository });
      if (options.json) {
        printJson(io, result);
        return;
      }
      const width = Math.max(...result.items.map((item) => item.repository.length));
      const lines = result.items.map(
        (item) => `${item.repository.padEnd(width)}  ${item.pattern === null ? 'not covered' : `covered by ${item.pattern}`}`,
      );
      io.stdout.write(`${lines.join('\n')}\n\n${capitalized(result.summary)}.\n`);
    });
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
