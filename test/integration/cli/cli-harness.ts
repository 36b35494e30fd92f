import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import type { CredentialFormats } from '../../../src/app/credential-formats.js';
import { runCli } from '../../../src/cli/program.js';

export const SECRET_SHAPE = /^regauth_[0-9A-Za-z]{38}$/;
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What `tokens create --json` prints. */
export interface CreatedJson {
  readonly token: DeployTokenView;
  readonly secret: string;
  readonly credentials: CredentialFormats;
  readonly dockerLogin: string;
}

class TextSink extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** One `regauth` invocation, in process, with its own stdout and stderr. */
export async function regauth(env: NodeJS.ProcessEnv, cwd: string, argv: readonly string[]): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await runCli(argv, { stdout, stderr, env, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Settings for a CLI (or server) working in `dir`: the embedded store and keys inside it, cheap bcrypt. */
export function environmentIn(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    REGAUTH_DATA_DIR: join(dir, 'data'),
    REGAUTH_KEYS_DIR: join(dir, 'keys'),
    REGAUTH_BCRYPT_COST: '4',
    DATABASE_URL: '',
    ...extra,
  };
}

export const dockerLogin = (host: string, username: string, secret: string): string =>
  `printf '%s' '${secret}' | docker login ${host} --username ${username} --password-stdin`;

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * `tokens create` arguments (after `--name`) the CLI refuses with exit 1, and the reason it gives. Each
 * username case assumes a token named `ci-bot` exists.
 */
export const REFUSED_CREATIONS: readonly (readonly [what: string, argv: readonly string[], message: string])[] = [
  [
    'a repository that is not a repository path',
    ['--repo', 'Team/App', '--scope', 'read_registry'],
    'invalid repository "Team/App": use a repository path such as team/app (it also covers team/app/...), a pattern such as team/** or team/*-prod, or * for every repository',
  ],
  ['an unknown scope', ['--repo', 'team/app', '--scope', 'admin'], 'unknown scope "admin": use read_registry, write_registry, delete_registry, read_catalog'],
  ['no --repo', ['--scope', 'read_registry'], 'at least one repository is required'],
  ['no --scope', ['--repo', 'team/app'], 'at least one scope is required'],
  [
    'an expiry that is neither a duration nor a date',
    ['--repo', 'team/app', '--scope', 'read_registry', '--expires', 'soon'],
    'invalid expiry "soon": use a duration such as 30d, 12h, 2w, 1y or a date such as 2027-01-31',
  ],
  [
    'an expiry in the past',
    ['--repo', 'team/app', '--scope', 'read_registry', '--expires', '2020-01-01'],
    'invalid expiry "2020-01-01": it is not in the future',
  ],
  [
    'a username of the generated form',
    ['--repo', 'team/app', '--scope', 'read_registry', '--username', 'deploy-token-9'],
    'invalid username "deploy-token-9": deploy-token-<number> is reserved for generated names',
  ],
  [
    'a username with characters outside a-z 0-9 . _ + -',
    ['--repo', 'team/app', '--scope', 'read_registry', '--username', 'CI$bot'],
    'invalid username "CI$bot": use 1 to 64 characters of a-z 0-9 . _ + -',
  ],
  ['a username that is taken', ['--repo', 'team/app', '--scope', 'read_registry', '--username', 'ci-bot'], 'username "ci-bot" is already taken'],
];
