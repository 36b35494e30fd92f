import { parseRegistryScope } from '../core/deploy-token.js';
import { parseExpiry } from '../core/expiry.js';
import { parseRepositoryPattern } from '../core/repository-pattern.js';
import { parseChosenUsername } from '../core/username.js';
import { viewOf, type DeployTokenView } from './deploy-token-view.js';
import { DeployTokenNotFoundError, InvalidInputError } from './errors.js';
import type { Clock, DeployTokenStore, Logger, SecretGenerator, SecretHasher } from './ports.js';

export interface CreateDeployTokenInput {
  readonly name: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly string[];
  readonly username?: string | undefined;
  /** A duration from now (`90d`) or a date (`2027-01-31`); absent means the token never expires. */
  readonly expires?: string | undefined;
}

export interface CreatedDeployToken {
  readonly token: DeployTokenView;
  /** Shown once: only its hash is stored. */
  readonly secret: string;
}

/** What the CLI (directly, or through a running server) can do with deploy tokens. */
export interface DeployTokenAdmin {
  create(input: CreateDeployTokenInput): Promise<CreatedDeployToken>;
  list(): Promise<DeployTokenView[]>;
  revoke(reference: string): Promise<DeployTokenView>;
}

export interface DeployTokenAdminDeps {
  readonly store: DeployTokenStore;
  readonly hasher: SecretHasher;
  readonly secrets: SecretGenerator;
  readonly clock: Clock;
  readonly logger: Logger;
}

const MAX_NAME_LENGTH = 255;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;

export class StoreDeployTokenAdmin implements DeployTokenAdmin {
  constructor(private readonly deps: DeployTokenAdminDeps) {}

  async create(input: CreateDeployTokenInput): Promise<CreatedDeployToken> {
    const now = this.deps.clock.now();
    const name = parseName(input.name);
    const repositories = unique(required(input.repositories, 'repository').map(parseRepositoryPattern));
    const scopes = unique(required(input.scopes, 'scope').map(parseRegistryScope));
    const username = input.username === undefined ? null : parseChosenUsername(input.username);
    const expiresAt = input.expires === undefined ? null : parseExpiry(input.expires, now);

    const secret = this.deps.secrets.generate();
    const token = await this.deps.store.create({
      name,
      username,
      secretHash: await this.deps.hasher.hash(secret),
      repositories,
      scopes,
      expiresAt,
      createdAt: now,
    });
    this.deps.logger.info('deploy token created', {
      event: 'token.created',
      tokenId: token.id,
      username: token.username,
      repositories,
      scopes,
      expiresAt,
    });
    return { token: viewOf(token, now), secret };
  }

  async list(): Promise<DeployTokenView[]> {
    const now = this.deps.clock.now();
    return (await this.deps.store.list()).map((token) => viewOf(token, now));
  }

  async revoke(reference: string): Promise<DeployTokenView> {
    const now = this.deps.clock.now();
    const found = NUMERIC_ID.test(reference)
      ? await this.deps.store.findById(Number(reference))
      : await this.deps.store.findByUsername(reference);
    const revoked = found === null ? null : await this.deps.store.revoke(found.id, now);
    if (revoked === null) throw new DeployTokenNotFoundError(reference);
    this.deps.logger.info('deploy token revoked', { event: 'token.revoked', tokenId: revoked.id, username: revoked.username });
    return viewOf(revoked, now);
  }
}

function parseName(text: string): string {
  const name = text.trim();
  if (name === '' || name.length > MAX_NAME_LENGTH || CONTROL_CHARACTERS.test(name)) {
    throw new InvalidInputError(`name must be 1 to ${MAX_NAME_LENGTH} printable characters`);
  }
  return name;
}

function required<T>(items: readonly T[], what: string): readonly T[] {
  if (items.length === 0) throw new InvalidInputError(`at least one ${what} is required`);
  return items;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
