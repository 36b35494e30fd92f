import { checkOwnerCondition, impliedMultiTenant } from '../../core/federation/trust-policy-rules.js';
import { normaliseIssuerUrl } from '../../core/federation/issuer-url.js';
import { ISSUER_KINDS, type IssuerKind, type KeySource, type TrustedIssuer } from '../../core/federation/trusted-issuer.js';
import type { AuditTrail } from '../audit-trail.js';
import type { Actor } from '../deploy-token-admin.js';
import { InvalidInputError } from '../errors.js';
import type { AuditEventType, Clock } from '../ports.js';
import { failClosed } from '../unavailable.js';
import { TrustedIssuerNotFoundError } from './federation-admin-errors.js';
import { NUMERIC_ID, parseFederationName } from './federation-name.js';
import type { TrustedIssuerChanges, TrustedIssuerStore, TrustPolicyStore } from './federation-ports.js';
import { audienceOf, parseAlgorithms, parseAudience, parseInlineJwks, parseLeeway, parseMaxTokenAge, parseReplayMode } from './issuer-settings.js';
import { trustedIssuerViewOf, type TrustedIssuerView } from './trusted-issuer-view.js';

/** Where keys come from: give at most one of `jwksUri` and `jwks`; neither means OIDC discovery. */
export interface IssuerKeysInput {
  readonly jwksUri?: string | undefined;
  /** An inline JWKS, as JSON text or already parsed. */
  readonly jwks?: unknown;
}

export interface CreateTrustedIssuerInput extends IssuerKeysInput {
  readonly name: string;
  readonly kind: string;
  readonly issuerUrl: string;
  readonly audience?: string | undefined;
  readonly algorithms?: readonly string[] | undefined;
  readonly leewaySeconds?: number | undefined;
  readonly maxTokenAgeSeconds?: number | null | undefined;
  readonly replayMode?: string | undefined;
  readonly multiTenant?: boolean | undefined;
  readonly enabled?: boolean | undefined;
}

/** Absent fields stay; `discovery: true` drops a jwks_uri or inline key set. */
export interface UpdateTrustedIssuerInput extends IssuerKeysInput {
  readonly name?: string | undefined;
  readonly issuerUrl?: string | undefined;
  readonly audience?: string | undefined;
  readonly discovery?: boolean | undefined;
  readonly algorithms?: readonly string[] | undefined;
  readonly leewaySeconds?: number | undefined;
  readonly maxTokenAgeSeconds?: number | null | undefined;
  readonly replayMode?: string | undefined;
  readonly multiTenant?: boolean | undefined;
  readonly enabled?: boolean | undefined;
}

export interface TrustedIssuerAdmin {
  create(input: CreateTrustedIssuerInput, by?: Actor): Promise<TrustedIssuerView>;
  list(): Promise<TrustedIssuerView[]>;
  get(reference: string): Promise<TrustedIssuerView>;
  update(reference: string, input: UpdateTrustedIssuerInput, by?: Actor): Promise<TrustedIssuerView>;
}

export interface TrustedIssuerAdminDeps {
  readonly store: TrustedIssuerStore;
  /** To refuse making an issuer multi-tenant while one of its policies pins no owner ID. */
  readonly policies: TrustPolicyStore;
  readonly clock: Clock;
  readonly audit: AuditTrail;
  /** The service's realm: its origin is the audience issuers get by default. */
  readonly realm: string;
  /** Plain http for loopback issuer URLs: tests only. */
  readonly allowInsecureLoopback?: boolean;
}

const DEFAULT_ACTOR: Actor = { actor: 'cli' };

export class StoreTrustedIssuerAdmin implements TrustedIssuerAdmin {
  private readonly deps: TrustedIssuerAdminDeps;

  constructor(deps: TrustedIssuerAdminDeps) {
    this.deps = { ...deps, store: failClosed('store', deps.store), policies: failClosed('store', deps.policies) };
  }

  async create(input: CreateTrustedIssuerInput, by: Actor = DEFAULT_ACTOR): Promise<TrustedIssuerView> {
    const now = this.deps.clock.now();
    const kind = parseKind(input.kind);
    const issuerUrl = this.url(input.issuerUrl, 'issuer URL');
    const issuer = await this.deps.store.create({
      name: parseFederationName(input.name, 'trusted issuer'),
      kind,
      issuerUrl,
      audience: parseAudience(input.audience, audienceOf(this.deps.realm)),
      keySource: this.keySource(input) ?? { kind: 'discovery' },
      algorithms: parseAlgorithms(input.algorithms),
      leewaySeconds: parseLeeway(input.leewaySeconds),
      maxTokenAgeSeconds: parseMaxTokenAge(input.maxTokenAgeSeconds),
      replayMode: parseReplayMode(input.replayMode, kind),
      multiTenant: impliedMultiTenant(kind, issuerUrl) || input.multiTenant === true,
      enabled: input.enabled ?? true,
      createdAt: now,
    });
    await this.record('issuer.created', issuer, by, now, auditDetailsOf(issuer));
    return trustedIssuerViewOf(issuer);
  }

  async list(): Promise<TrustedIssuerView[]> {
    return (await this.deps.store.list()).map(trustedIssuerViewOf);
  }

  async get(reference: string): Promise<TrustedIssuerView> {
    return trustedIssuerViewOf(await this.find(reference));
  }

  async update(reference: string, input: UpdateTrustedIssuerInput, by: Actor = DEFAULT_ACTOR): Promise<TrustedIssuerView> {
    const now = this.deps.clock.now();
    const existing = await this.find(reference);
    const changes: { -readonly [K in keyof TrustedIssuerChanges]: TrustedIssuerChanges[K] } = {};
    if (input.name !== undefined) changes.name = parseFederationName(input.name, 'trusted issuer');
    if (input.issuerUrl !== undefined) changes.issuerUrl = this.url(input.issuerUrl, 'issuer URL');
    if (input.audience !== undefined) changes.audience = parseAudience(input.audience, existing.audience);
    const keySource = this.keySource(input);
    if (input.discovery === true && keySource !== null) throw new InvalidInputError('give discovery, a JWKS URI or an inline JWKS, not several');
    if (input.discovery === true) changes.keySource = { kind: 'discovery' };
    if (keySource !== null) changes.keySource = keySource;
    if (input.algorithms !== undefined) changes.algorithms = parseAlgorithms(input.algorithms);
    if (input.leewaySeconds !== undefined) changes.leewaySeconds = parseLeeway(input.leewaySeconds);
    if (input.maxTokenAgeSeconds !== undefined) changes.maxTokenAgeSeconds = parseMaxTokenAge(input.maxTokenAgeSeconds);
    if (input.replayMode !== undefined) changes.replayMode = parseReplayMode(input.replayMode, existing.kind);
    if (input.multiTenant !== undefined) {
      const implied = impliedMultiTenant(existing.kind, changes.issuerUrl ?? existing.issuerUrl);
      if (implied && !input.multiTenant) throw new InvalidInputError(`issuer "${existing.name}" is multi-tenant by its kind and URL: that cannot be turned off`);
      changes.multiTenant = input.multiTenant;
    }
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    if (Object.keys(changes).length === 0) throw new InvalidInputError('nothing to change');
    if (changes.issuerUrl !== undefined && impliedMultiTenant(existing.kind, changes.issuerUrl)) changes.multiTenant = true;
    if (changes.multiTenant === true && !existing.multiTenant) await this.checkPoliciesPinOwners({ ...existing, ...changes });

    const updated = await this.deps.store.update(existing.id, changes, now);
    if (updated === null) throw new TrustedIssuerNotFoundError(reference);
    await this.record('issuer.updated', updated, by, now, { ...auditChangesOf(changes) });
    return trustedIssuerViewOf(updated);
  }

  private async find(reference: string): Promise<TrustedIssuer> {
    const found = NUMERIC_ID.test(reference) ? await this.deps.store.findById(Number(reference)) : await this.deps.store.findByName(reference);
    if (found === null) throw new TrustedIssuerNotFoundError(reference);
    return found;
  }

  private async checkPoliciesPinOwners(issuer: TrustedIssuer): Promise<void> {
    for (const policy of await this.deps.policies.listForIssuer(issuer.id)) {
      try {
        checkOwnerCondition(issuer, policy.conditions);
      } catch (error) {
        throw new InvalidInputError(`policy "${policy.name}" would then be refused: ${(error as Error).message}`);
      }
    }
  }

  private url(text: string, what: string): string {
    return normaliseIssuerUrl(text, { allowInsecureLoopback: this.deps.allowInsecureLoopback === true }, what);
  }

  private keySource(input: IssuerKeysInput): KeySource | null {
    if (input.jwksUri !== undefined && input.jwks !== undefined) throw new InvalidInputError('give a JWKS URI or an inline JWKS, not both');
    if (input.jwksUri !== undefined) return { kind: 'jwks_uri', uri: this.url(input.jwksUri, 'JWKS URI') };
    if (input.jwks !== undefined) return { kind: 'inline', jwks: parseInlineJwks(input.jwks) };
    return null;
  }

  private record(event: AuditEventType, issuer: TrustedIssuer, by: Actor, now: Date, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit.recordDurably({
      occurredAt: now,
      event,
      actor: by.actor,
      deployTokenId: null,
      username: null,
      clientIp: by.clientIp ?? null,
      details: { issuerId: issuer.id, issuer: issuer.name, ...details },
    });
  }
}

function parseKind(text: string): IssuerKind {
  const kind = ISSUER_KINDS.find((known) => known === text);
  if (kind === undefined) throw new InvalidInputError(`unknown issuer kind "${text.slice(0, 20)}": use ${ISSUER_KINDS.join(', ')}`);
  return kind;
}

/** An inline key set is summarised by its key ids: the audit row stays small. */
function auditDetailsOf(issuer: TrustedIssuer): Record<string, unknown> {
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, name: _name, ...fields } = issuer;
  return auditChangesOf(fields);
}

function auditChangesOf(changes: TrustedIssuerChanges): Record<string, unknown> {
  const { keySource, ...rest } = changes;
  if (keySource === undefined) return rest;
  return { ...rest, keySource: keySource.kind === 'inline' ? { kind: 'inline', keyIds: keySource.jwks.keys.map((key) => key.kid) } : keySource };
}
