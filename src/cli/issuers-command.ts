import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { UpdateTrustedIssuerInput } from '../app/federation/trusted-issuer-admin.js';
import type { TrustedIssuerView } from '../app/federation/trusted-issuer-view.js';
import { ISSUER_KINDS, REPLAY_MODES } from '../core/federation/trusted-issuer.js';
import { printJson, withAdmin } from './admin-session.js';
import type { CliIo } from './cli-context.js';
import { renderIssuer, renderIssuerTable } from './federation-render.js';
import { CliError } from './keys-command.js';
import { seconds } from './seconds-option.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface IssuerOptions {
  name?: string;
  kind?: string;
  url?: string;
  audience?: string;
  jwksUri?: string;
  jwksFile?: string;
  discovery?: boolean;
  algorithm: string[];
  leeway?: string;
  maxTokenAge?: string;
  noMaxTokenAge?: boolean;
  replayMode?: string;
  multiTenant?: boolean;
  disabled?: boolean;
  json?: boolean;
}

function withIssuerOptions(command: Command): Command {
  return command
    .option('--audience <aud>', "the one aud its tokens must carry (default: the realm's origin, e.g. https://auth.example.com)")
    .option('--jwks-uri <url>', 'fetch its keys here instead of through OIDC discovery')
    .option('--jwks-file <file>', 'an inline JWKS of public keys (kubectl get --raw /openid/v1/jwks > jwks.json): regauth never fetches')
    .option('--algorithm <alg>', 'a signature algorithm it signs with (default RS256) (repeatable)', collect, [])
    .option('--leeway <duration>', 'clock skew allowed: 0 to 300 seconds, or 1m (default 60)')
    .option('--max-token-age <duration>', 'refuse tokens issued longer ago than this (e.g. 10m)')
    .addOption(new Option('--replay-mode <mode>', 'once (a jti mints one credential), idempotent (default for kubernetes)').choices(REPLAY_MODES))
    .option('--multi-tenant', 'anyone can register names on it: every policy must pin an owner ID (always on for github and gitlab.com)')
    .option('--json', 'print JSON');
}

export function issuersCommand(io: CliIo, configFile: () => string | undefined): Command {
  const issuers = new Command('issuers').description('trust OIDC issuers (GitHub Actions, GitLab CI, a cluster) for keyless access');
  const run = <T>(work: Parameters<typeof withAdmin<T>>[2]) => withAdmin(io, configFile(), work);
  const print = (issuer: TrustedIssuerView, json: boolean | undefined, heading: string) => {
    if (json) printJson(io, issuer);
    else io.stdout.write(`${heading}\n${renderIssuer(issuer)}`);
  };

  withIssuerOptions(
    issuers
      .command('add')
      .description('trust an issuer; its tokens get nothing until a trust policy (regauth policies add) matches them')
      .requiredOption('--name <name>', 'a short name: a-z 0-9 . _ -')
      .addOption(new Option('--kind <kind>', 'what it is').choices(ISSUER_KINDS).makeOptionMandatory())
      .requiredOption('--url <url>', 'its exact iss, e.g. https://token.actions.githubusercontent.com')
      .option('--disabled', 'add it disabled'),
  ).action(async (options: IssuerOptions) => {
    await run(async (_admin, _keys, _config, federation) => {
      const created = await federation.issuers.create({
        name: options.name as string,
        kind: options.kind as string,
        issuerUrl: options.url as string,
        ...(await commonInput(options)),
        ...(options.disabled ? { enabled: false } : {}),
      });
      print(created, options.json, `Trusted issuer ${created.id} (${created.name}) added. Write a policy next: regauth policies add --help`);
    });
  });

  issuers
    .command('list')
    .description('list trusted issuers')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run(async (_admin, _keys, _config, federation) => {
        const all = await federation.issuers.list();
        if (options.json) printJson(io, all);
        else io.stdout.write(renderIssuerTable(all));
      });
    });

  issuers
    .command('show')
    .description('show one trusted issuer by id or name')
    .argument('<id-or-name>')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await run(async (_admin, _keys, _config, federation) => {
        const issuer = await federation.issuers.get(reference);
        if (options.json) printJson(io, issuer);
        else io.stdout.write(renderIssuer(issuer));
      });
    });

  withIssuerOptions(
    issuers
      .command('update')
      .description('change a trusted issuer; what you leave out stays as it is')
      .argument('<id-or-name>')
      .option('--name <name>', 'new name')
      .option('--url <url>', 'new issuer URL')
      .option('--discovery', 'find its keys through OIDC discovery again')
      .option('--no-max-token-age', 'drop the maximum token age'),
  ).action(async (reference: string, options: IssuerOptions) => {
    await run(async (_admin, _keys, _config, federation) => {
      const input: UpdateTrustedIssuerInput = {
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.url === undefined ? {} : { issuerUrl: options.url }),
        ...(options.discovery ? { discovery: true } : {}),
        ...(await commonInput(options)),
      };
      const updated = await federation.issuers.update(reference, input);
      print(updated, options.json, `Updated trusted issuer ${updated.id}.`);
    });
  });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    issuers
      .command(verb)
      .description(enabled ? 'let tokens of this issuer in again' : 'refuse every token of this issuer at once (its policies stay)')
      .argument('<id-or-name>')
      .option('--json', 'print JSON')
      .action(async (reference: string, options: { json?: boolean }) => {
        await run(async (_admin, _keys, _config, federation) => {
          const updated = await federation.issuers.update(reference, { enabled });
          print(updated, options.json, `Trusted issuer ${updated.id} (${updated.name}) is ${enabled ? 'enabled' : 'disabled'}.`);
        });
      });
  }

  return issuers;
}

async function commonInput(options: IssuerOptions) {
  const jwks = options.jwksFile === undefined ? undefined : await readJwksFile(options.jwksFile);
  // Where --no-max-token-age exists (update), commander sets maxTokenAge to true when neither option is
  // given and to false for --no-max-token-age.
  const given = options.maxTokenAge as string | boolean | undefined;
  const maxTokenAge = given === false ? null : given === true ? undefined : given;
  return {
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.jwksUri === undefined ? {} : { jwksUri: options.jwksUri }),
    ...(jwks === undefined ? {} : { jwks }),
    ...(options.algorithm.length === 0 ? {} : { algorithms: options.algorithm }),
    ...(options.leeway === undefined ? {} : { leewaySeconds: seconds(options.leeway, '--leeway') }),
    ...(maxTokenAge === undefined ? {} : { maxTokenAgeSeconds: maxTokenAge === null ? null : seconds(maxTokenAge, '--max-token-age') }),
    ...(options.replayMode === undefined ? {} : { replayMode: options.replayMode }),
    ...(options.multiTenant ? { multiTenant: true } : {}),
  };
}

/** Parsed here so that the same JSON object goes to the use case directly or through the control socket. */
async function readJwksFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --jwks-file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`--jwks-file ${path} is not JSON: save the output of kubectl get --raw /openid/v1/jwks`);
  }
}
