import { checkCatalogScope, parseRegistryScope, type DeployToken, type DeployTokenStatus } from '../core/deploy-token.js';
import { DEFAULT_DEPLOY_TOKEN_SORT, parseDeployTokenSort } from '../core/deploy-token-sort.js';
import { parseExpiry, parseSince, SinceError } from '../core/expiry.js';
import { parseRepositoryPattern, patternCovers } from '../core/repository-pattern.js';
import { parseTokenLifetime } from '../core/token-lifetime.js';
import { parseChosenUsername } from '../core/username.js';
import type { AuditTrail } from './audit-trail.js';
import { credentialFormatsOf, type CredentialFormats } from './credential-formats.js';
import { viewOf, type DeployTokenView } from './deploy-token-view.js';
import { parseDisplayName } from './display-name.js';
import { filterOf, offsetOf, parseCoveredRepository } from './deploy-token-list-input.js';
import { DeployTokenNotFoundError, InvalidInputError, RefreshTokenNotFoundError } from './errors.js';
import { testRepositoryPatterns, type PatternTestInput, type PatternTestResult } from './pattern-test.js';
import { refreshTokenViewOf, type RefreshTokenView } from './refresh-token-view.js';
import type {
  AuditEventType,
  AuditLog,
  Clock,
  DeployTokenChanges,
  DeployTokenFilter,
  DeployTokenStore,
  RecordedAuditEvent,
  RefreshTokenStore,
  SecretGenerator,
  SecretHasher,
} from './ports.js';
import { AUDIT_EVENT_TYPES } from './ports.js';
import { failClosed } from './unavailable.js';

export interface CreateDeployTokenInput {
  readonly name: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly string[];
  readonly username?: string | undefined;
  /** A duration from now (`90d`) or a date (`2027-01-31`); absent means the token never expires. */
  readonly expires?: string | undefined;
  /** Lifetime of its registry tokens (`900`, `15m`); absent means the service's default. */
  readonly tokenLifetime?: string | undefined;
}

/** Absent fields stay as they are; null clears an expiry or a lifetime. */
export interface UpdateDeployTokenInput {
  readonly name?: string | undefined;
  readonly repositories?: readonly string[] | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly expires?: string | null | undefined;
  readonly tokenLifetime?: string | null | undefined;
}

/** Every condition given must hold. */
export interface ListDeployTokensInput {
  /** Text in the name, the username or a repository pattern, in any case. */
  readonly search?: string | undefined;
  readonly status?: DeployTokenStatus | undefined;
  /** Only tokens with this scope (read_registry, write_registry, ...). */
  readonly scope?: string | undefined;
  /** Not yet expired, and expiring within this many days. */
  readonly expiringWithinDays?: number | undefined;
  /** Not used for this many days; a token never used counts once it is that old. */
  readonly unusedForDays?: number | undefined;
  /** Revoked within the last this many days. */
  readonly revokedWithinDays?: number | undefined;
  /** Only tokens whose patterns cover this repository. */
  readonly covers?: string | undefined;
  /** `name`, `created`, `expires` or `lastUsed`, optionally `:asc` or `:desc`; default `created:asc`. */
  readonly sort?: string | undefined;
  /** How many matching tokens to skip. */
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
  /** The `next` of the previous page: only tokens created after that one. */
  readonly after?: number | undefined;
}

export interface DeployTokenPage {
  readonly items: DeployTokenView[];
  /** How many tokens match in all (with `after`, after that token). */
  readonly total: number;
  readonly offset: number;
  /** Pass as `after` for the next page in creation order; null on the last page. */
  readonly next: number | null;
}

/** A new expiry later than the current one; null: never expires. */
export interface ExtendDeployTokenInput {
  readonly expires: string | null;
}

export interface AuditQueryInput {
  readonly event?: string | undefined;
  /** Id or username of a deploy token. */
  readonly token?: string | undefined;
  /** Text the actor contains, in any case: `alice`, `via ui`, `cli`. */
  readonly actor?: string | undefined;
  /** A duration back from now (`24h`, `7d`) or a date. */
  readonly since?: string | undefined;
  /** Events before this, in the same forms as `since`. */
  readonly until?: string | undefined;
  readonly limit?: number | undefined;
  readonly before?: number | undefined;
}

export interface AuditEventView {
  readonly id: number;
  readonly occurredAt: string;
  readonly event: AuditEventType;
  readonly actor: string | null;
  readonly tokenId: number | null;
  readonly username: string | null;
  readonly clientIp: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditPage {
  readonly items: AuditEventView[];
  readonly next: number | null;
}

export interface CreatedDeployToken {
  readonly token: DeployTokenView;
  /** Shown once: only its hash is stored. */
  readonly secret: string;
  /** The secret in the forms clients take it (docker login, Kubernetes Secret, CI variables...). */
  readonly credentials: CredentialFormats;
}

/** Who is acting, for the audit log: `cli`, `admin-key:<name>`, `local`. */
export interface Actor {
  readonly actor: string;
  readonly clientIp?: string | null;
}

/** What the CLI and the admin API can do with deploy tokens. */
export interface DeployTokenAdmin {
  create(input: CreateDeployTokenInput, by?: Actor): Promise<CreatedDeployToken>;
  list(input?: ListDeployTokensInput): Promise<DeployTokenPage>;
  /** How many tokens `list` would find, without reading them. */
  count(input?: ListDeployTokensInput): Promise<number>;
  get(reference: string): Promise<DeployTokenView>;
  update(reference: string, input: UpdateDeployTokenInput, by?: Actor): Promise<DeployTokenView>;
  /** A later expiry (or none) for the same secret: clients keep working unchanged. */
  extend(reference: string, input: ExtendDeployTokenInput, by?: Actor): Promise<DeployTokenView>;
  /** Which example repositories a set of patterns covers; changes nothing. */
  testPatterns(input: PatternTestInput): Promise<PatternTestResult>;
  revoke(reference: string, by?: Actor): Promise<DeployTokenView>;
  /** A new secret for the same token; the old secret and refresh tokens made from it stop working. */
  rotate(reference: string, by?: Actor): Promise<CreatedDeployToken>;
  /** Its refresh tokens (`docker login` sessions) that still work, oldest first. */
  listRefreshTokens(reference: string): Promise<RefreshTokenView[]>;
  /** Ends one refresh token at once; the deploy token and its other refresh tokens go on working. */
  revokeRefreshToken(reference: string, refreshTokenId: string, by?: Actor): Promise<RefreshTokenView>;
  audit(input?: AuditQueryInput): Promise<AuditPage>;
}

export interface DeployTokenAdminDeps {
  readonly store: DeployTokenStore;
  readonly refreshTokens: RefreshTokenStore;
  /** A refresh token unused this long stops working. */
  readonly refreshTokenIdleSeconds: number;
  readonly hasher: SecretHasher;
  readonly secrets: SecretGenerator;
  readonly clock: Clock;
  readonly audit: AuditTrail;
  readonly auditLog: AuditLog;
  readonly maxTokenLifetimeSeconds: number;
  /** Last-use times not yet written; written before tokens are read, so a read shows them. */
  readonly pendingUses?: { flush(): Promise<void> };
  /** `registry.host`, for the credential formats; a placeholder stands in without one. */
  readonly registryHost?: string | null;
}

const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;
const REGISTRY_HOST_PLACEHOLDER = '<registry-host>';
export const DEFAULT_PAGE_SIZE = 100;
const MAX_ACTOR_FILTER_LENGTH = 200;
export const MAX_PAGE_SIZE = 1_000;
const DEFAULT_ACTOR: Actor = { actor: 'cli' };

export class StoreDeployTokenAdmin implements DeployTokenAdmin {
  private readonly deps: DeployTokenAdminDeps;

  constructor(deps: DeployTokenAdminDeps) {
    // A failing database is a 503 at the admin API, never a 500 or a half-answer.
    this.deps = {
      ...deps,
      store: failClosed('store', deps.store),
      refreshTokens: failClosed('store', deps.refreshTokens),
      auditLog: failClosed('store', deps.auditLog),
    };
  }

  async create(input: CreateDeployTokenInput, by: Actor = DEFAULT_ACTOR): Promise<CreatedDeployToken> {
    const now = this.deps.clock.now();
    const name = parseDisplayName(input.name);
    const repositories = parseRepositories(input.repositories);
    const scopes = unique(required(input.scopes, 'scope').map(parseRegistryScope));
    checkCatalogScope(scopes, repositories);
    const username = input.username === undefined ? null : parseChosenUsername(input.username);
    const expiresAt = input.expires === undefined ? null : parseExpiry(input.expires, now);
    const tokenLifetimeSeconds = this.lifetime(input.tokenLifetime);

    const secret = this.deps.secrets.generate();
    const token = await this.deps.store.create({
      name,
      username,
      secretHash: await this.deps.hasher.hash(secret),
      repositories,
      scopes,
      expiresAt,
      tokenLifetimeSeconds,
      createdAt: now,
      createdBy: by.actor,
    });
    await this.recordEvent('token.created', token, by, now, { name, repositories, scopes, expiresAt, tokenLifetimeSeconds });
    return this.issued(token, secret, now);
  }

  async list(input: ListDeployTokensInput = {}): Promise<DeployTokenPage> {
    const now = this.deps.clock.now();
    const limit = pageSize(input.limit);
    const offset = offsetOf(input.offset);
    const sort = input.sort === undefined ? DEFAULT_DEPLOY_TOKEN_SORT : parseDeployTokenSort(input.sort);
    const filter = filterOf(input, now);
    await this.deps.pendingUses?.flush();
    let found: { tokens: DeployToken[]; total: number };
    if (input.covers === undefined) {
      found = await this.deps.store.search({ ...filter, sort, offset, limit });
    } else {
      // Globs are matched here, not in SQL: page over the ids that really match, then read just that page.
      const matching = await this.coveringIds(filter, input.covers, sort);
      const ids = matching.slice(offset, offset + limit);
      const page = ids.length === 0 ? [] : (await this.deps.store.search({ ...filter, ids, sort, offset: 0, limit })).tokens;
      found = { tokens: page, total: matching.length };
    }
    const more = offset + found.tokens.length < found.total;
    return {
      items: found.tokens.map((token) => viewOf(token, now)),
      total: found.total,
      offset,
      next: more && found.tokens.length > 0 ? (found.tokens.at(-1) as DeployToken).id : null,
    };
  }

  async count(input: ListDeployTokensInput = {}): Promise<number> {
    const now = this.deps.clock.now();
    const filter = filterOf(input, now);
    await this.deps.pendingUses?.flush();
    if (input.covers !== undefined) return (await this.coveringIds(filter, input.covers, DEFAULT_DEPLOY_TOKEN_SORT)).length;
    return (await this.deps.store.search({ ...filter, sort: DEFAULT_DEPLOY_TOKEN_SORT, offset: 0, limit: 0 })).total;
  }

  async get(reference: string): Promise<DeployTokenView> {
    await this.deps.pendingUses?.flush();
    return viewOf(await this.find(reference), this.deps.clock.now());
  }

  async update(reference: string, input: UpdateDeployTokenInput, by: Actor = DEFAULT_ACTOR): Promise<DeployTokenView> {
    const now = this.deps.clock.now();
    const existing = await this.find(reference);
    const changes: { -readonly [K in keyof DeployTokenChanges]: DeployTokenChanges[K] } = {};
    if (input.name !== undefined) changes.name = parseDisplayName(input.name);
    if (input.repositories !== undefined) changes.repositories = parseRepositories(input.repositories);
    if (input.scopes !== undefined) changes.scopes = unique(required(input.scopes, 'scope').map(parseRegistryScope));
    if (input.expires !== undefined) changes.expiresAt = input.expires === null ? null : parseExpiry(input.expires, now);
    if (input.tokenLifetime !== undefined) changes.tokenLifetimeSeconds = this.lifetime(input.tokenLifetime ?? undefined);
    if (Object.keys(changes).length === 0) throw new InvalidInputError('nothing to change');
    checkCatalogScope(changes.scopes ?? existing.scopes, changes.repositories ?? existing.repositories);

    const updated = await this.deps.store.update(existing.id, changes, now);
    if (updated === null) throw new DeployTokenNotFoundError(reference);
    await this.recordEvent('token.updated', updated, by, now, { ...changes });
    return viewOf(updated, now);
  }

  async extend(reference: string, input: ExtendDeployTokenInput, by: Actor = DEFAULT_ACTOR): Promise<DeployTokenView> {
    const now = this.deps.clock.now();
    const existing = await this.find(reference);
    if (existing.revokedAt !== null) throw new InvalidInputError(`deploy token ${existing.id} is revoked: a revoked token cannot be extended`);
    const expiresAt = input.expires === null ? null : parseExpiry(input.expires, now);
    if (expiresAt !== null && existing.expiresAt === null) {
      throw new InvalidInputError(`deploy token ${existing.id} never expires: to give it an expiry, update it instead`);
    }
    if (expiresAt !== null && existing.expiresAt !== null && expiresAt.getTime() <= existing.expiresAt.getTime()) {
      throw new InvalidInputError(
        `"${input.expires}" is not later than the current expiry ${existing.expiresAt.toISOString()}: to shorten it, update the token instead`,
      );
    }
    const updated = await this.deps.store.update(existing.id, { expiresAt }, now);
    if (updated === null) throw new DeployTokenNotFoundError(reference);
    await this.recordEvent('token.extended', updated, by, now, {
      previousExpiresAt: existing.expiresAt?.toISOString() ?? null,
      expiresAt: expiresAt?.toISOString() ?? null,
    });
    return viewOf(updated, now);
  }

  async testPatterns(input: PatternTestInput): Promise<PatternTestResult> {
    return testRepositoryPatterns(input);
  }

  async revoke(reference: string, by: Actor = DEFAULT_ACTOR): Promise<DeployTokenView> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.store.revoke((await this.find(reference)).id, now);
    if (revoked === null) throw new DeployTokenNotFoundError(reference);
    await this.recordEvent('token.revoked', revoked, by, now, {});
    return viewOf(revoked, now);
  }

  async rotate(reference: string, by: Actor = DEFAULT_ACTOR): Promise<CreatedDeployToken> {
    const now = this.deps.clock.now();
    const existing = await this.find(reference);
    const secret = this.deps.secrets.generate();
    const rotated = await this.deps.store.rotateSecret(existing.id, await this.deps.hasher.hash(secret), now, by.actor);
    if (rotated === null) throw new DeployTokenNotFoundError(reference);
    await this.recordEvent('token.rotated', rotated, by, now, {});
    return this.issued(rotated, secret, now);
  }

  async listRefreshTokens(reference: string): Promise<RefreshTokenView[]> {
    const token = await this.find(reference);
    const now = this.deps.clock.now().getTime();
    const idle = this.deps.refreshTokenIdleSeconds;
    return (await this.deps.refreshTokens.listForDeployToken(token.id))
      .map((refreshToken) => refreshTokenViewOf(refreshToken, idle))
      .filter((view) => Date.parse(view.idleExpiresAt) > now);
  }

  /** The id as the caller wrote it (a path segment, a CLI argument): checked here, once for the API and the CLI. */
  async revokeRefreshToken(reference: string, refreshTokenIdText: string, by: Actor = DEFAULT_ACTOR): Promise<RefreshTokenView> {
    if (!NUMERIC_ID.test(refreshTokenIdText)) {
      throw new InvalidInputError(`"${refreshTokenIdText.slice(0, 40)}" is not a refresh token id: use one from the token's list of refresh tokens`);
    }
    const refreshTokenId = Number(refreshTokenIdText);
    const now = this.deps.clock.now();
    const token = await this.find(reference);
    const deleted = await this.deps.refreshTokens.delete(token.id, refreshTokenId);
    if (deleted === null) throw new RefreshTokenNotFoundError(refreshTokenId, reference);
    await this.recordEvent('refresh_token.revoked', token, by, now, { refreshTokenId, clientId: deleted.clientId });
    return refreshTokenViewOf(deleted, this.deps.refreshTokenIdleSeconds);
  }

  async audit(input: AuditQueryInput = {}): Promise<AuditPage> {
    const now = this.deps.clock.now();
    const limit = pageSize(input.limit);
    const event = input.event === undefined ? undefined : parseAuditEventType(input.event);
    const token = input.token === undefined ? undefined : await this.find(input.token);
    const since = input.since === undefined ? undefined : parseSince(input.since, now);
    const until = input.until === undefined ? undefined : parseUntil(input.until, now);
    if (since !== undefined && until !== undefined && until <= since) throw new AuditFilterError('until', 'the time range is empty: "until" must come after "since"');
    const actor = input.actor === undefined ? undefined : parseActorFilter(input.actor);
    await this.deps.audit.flush();
    const events = await this.deps.auditLog.query({
      limit,
      ...(event === undefined ? {} : { event }),
      ...(token === undefined ? {} : { deployTokenId: token.id }),
      ...(actor === undefined ? {} : { actor }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(input.before === undefined ? {} : { beforeId: input.before }),
    });
    return { items: events.map(auditView), next: events.length === limit ? (events.at(-1) as RecordedAuditEvent).id : null };
  }

  private issued(token: DeployToken, secret: string, now: Date): CreatedDeployToken {
    const view = viewOf(token, now);
    return { token: view, secret, credentials: credentialFormatsOf({ token: view, secret }, this.deps.registryHost ?? REGISTRY_HOST_PLACEHOLDER) };
  }

  /** Ids of the tokens matching the filter whose patterns cover the repository, in the sort order. */
  private async coveringIds(filter: DeployTokenFilter, covers: string, sort: ReturnType<typeof parseDeployTokenSort>): Promise<number[]> {
    const repository = parseCoveredRepository(covers);
    const candidates = await this.deps.store.listPatterns({ ...filter, mayCover: repository }, sort);
    return candidates
      .filter((candidate) => candidate.repositories.some((pattern) => patternCovers(pattern, repository)))
      .map((candidate) => candidate.id);
  }

  private async find(reference: string): Promise<DeployToken> {
    const found = NUMERIC_ID.test(reference)
      ? await this.deps.store.findById(Number(reference))
      : await this.deps.store.findByUsername(reference);
    if (found === null) throw new DeployTokenNotFoundError(reference);
    return found;
  }

  private lifetime(text: string | undefined): number | null {
    return text === undefined ? null : parseTokenLifetime(text, this.deps.maxTokenLifetimeSeconds);
  }

  /** Durable (unless audit.durability is batched): a change is answered once its record is committed. */
  private recordEvent(event: AuditEventType, token: DeployToken, by: Actor, now: Date, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit.recordDurably({
      occurredAt: now,
      event,
      actor: by.actor,
      deployTokenId: token.id,
      username: token.username,
      clientIp: by.clientIp ?? null,
      details,
    });
  }
}

function parseRepositories(patterns: readonly string[]): string[] {
  return unique(required(patterns, 'repository').map(parseRepositoryPattern));
}

function parseAuditEventType(text: string): AuditEventType {
  const event = AUDIT_EVENT_TYPES.find((known) => known === text);
  if (event === undefined) throw new InvalidInputError(`unknown audit event "${text.slice(0, 40)}": use ${AUDIT_EVENT_TYPES.join(', ')}`);
  return event;
}

/** An audit filter that cannot be applied; `filter` names which, so a form can point at its field. */
export class AuditFilterError extends InvalidInputError {
  constructor(
    readonly filter: 'actor' | 'until',
    message: string,
  ) {
    super(message);
    this.name = 'AuditFilterError';
  }
}

function parseActorFilter(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_ACTOR_FILTER_LENGTH) {
    throw new AuditFilterError('actor', `an actor filter is 1 to ${MAX_ACTOR_FILTER_LENGTH} characters`);
  }
  return trimmed;
}

/** `since`'s forms, for the other end of a time range. */
function parseUntil(text: string, now: Date): Date {
  try {
    return parseSince(text, now);
  } catch (error) {
    if (error instanceof SinceError) throw new AuditFilterError('until', `invalid until "${text.slice(0, 40)}": ${error.reason}`);
    throw error;
  }
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

function auditView(event: RecordedAuditEvent): AuditEventView {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    event: event.event,
    actor: event.actor,
    tokenId: event.deployTokenId,
    username: event.username,
    clientIp: event.clientIp,
    details: event.details,
  };
}

function required<T>(items: readonly T[], what: string): readonly T[] {
  if (items.length === 0) throw new InvalidInputError(`at least one ${what} is required`);
  return items;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
