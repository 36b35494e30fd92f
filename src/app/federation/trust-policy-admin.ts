import { parseExpiry } from '../../core/expiry.js';
import { parseDuration } from '../../core/duration.js';
import { presetConditions, type GithubPreset, type GitlabPreset, type KubernetesPreset, type PolicyPreset } from '../../core/federation/policy-presets.js';
import { checkOwnerCondition, parseConditions, parseCredentialLifetime, parsePolicyGrants } from '../../core/federation/trust-policy-rules.js';
import type { ClaimCondition, TrustPolicy } from '../../core/federation/trust-policy.js';
import type { TrustedIssuer } from '../../core/federation/trusted-issuer.js';
import type { AuditTrail } from '../audit-trail.js';
import type { Actor } from '../deploy-token-admin.js';
import { InvalidInputError } from '../errors.js';
import type { AuditEventType, Clock } from '../ports.js';
import { failClosed } from '../unavailable.js';
import { TrustedIssuerNotFoundError, TrustPolicyNotFoundError } from './federation-admin-errors.js';
import { NUMERIC_ID, parseFederationName } from './federation-name.js';
import type { TrustedIssuerStore, TrustPolicyChanges, TrustPolicyStore } from './federation-ports.js';
import { trustPolicyViewOf, type TrustPolicyView } from './trust-policy-view.js';

export interface ConditionInput {
  readonly claim: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/** Conditions: those of the presets given, then the generic ones; together they must all hold. */
export interface PolicyConditionsInput {
  readonly conditions?: readonly ConditionInput[] | undefined;
  readonly github?: GithubPreset | undefined;
  readonly gitlab?: GitlabPreset | undefined;
  readonly kubernetes?: KubernetesPreset | undefined;
}

export interface CreateTrustPolicyInput extends PolicyConditionsInput {
  readonly name: string;
  /** Id or name of the trusted issuer. */
  readonly issuer: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly string[];
  /** Seconds (`900`) or a duration (`15m`); default 15 minutes, at most 1 hour. */
  readonly credentialLifetime?: string | undefined;
  readonly allowForkTriggers?: boolean | undefined;
  readonly expires?: string | undefined;
  readonly enabled?: boolean | undefined;
}

/** Absent fields stay; conditions given (generic or presets) replace all of them; `expires: null` clears. */
export interface UpdateTrustPolicyInput extends PolicyConditionsInput {
  readonly name?: string | undefined;
  readonly repositories?: readonly string[] | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly credentialLifetime?: string | undefined;
  readonly allowForkTriggers?: boolean | undefined;
  readonly expires?: string | null | undefined;
  readonly enabled?: boolean | undefined;
}

export interface TrustPolicyAdmin {
  create(input: CreateTrustPolicyInput, by?: Actor): Promise<TrustPolicyView>;
  /** Every policy, or those of one issuer (id or name). */
  list(issuer?: string): Promise<TrustPolicyView[]>;
  get(reference: string): Promise<TrustPolicyView>;
  update(reference: string, input: UpdateTrustPolicyInput, by?: Actor): Promise<TrustPolicyView>;
}

export interface TrustPolicyAdminDeps {
  readonly store: TrustPolicyStore;
  readonly issuers: TrustedIssuerStore;
  readonly clock: Clock;
  readonly audit: AuditTrail;
}

const DEFAULT_ACTOR: Actor = { actor: 'cli' };
const SECONDS = /^[1-9][0-9]{0,5}$/;

export class StoreTrustPolicyAdmin implements TrustPolicyAdmin {
  private readonly deps: TrustPolicyAdminDeps;

  constructor(deps: TrustPolicyAdminDeps) {
    this.deps = { ...deps, store: failClosed('store', deps.store), issuers: failClosed('store', deps.issuers) };
  }

  async create(input: CreateTrustPolicyInput, by: Actor = DEFAULT_ACTOR): Promise<TrustPolicyView> {
    const now = this.deps.clock.now();
    const name = parseFederationName(input.name, 'trust policy');
    const issuer = await this.findIssuer(input.issuer);
    const conditions = conditionsOf(input) ?? parseConditions([]);
    checkOwnerCondition(issuer, conditions);
    const grants = parsePolicyGrants(input.repositories, input.scopes);
    const policy = await this.deps.store.create({
      name,
      issuerId: issuer.id,
      conditions,
      repositories: grants.repositories,
      scopes: grants.scopes,
      credentialLifetimeSeconds: parseCredentialLifetime(lifetimeSeconds(input.credentialLifetime)),
      allowForkTriggers: input.allowForkTriggers ?? false,
      expiresAt: input.expires === undefined ? null : parseExpiry(input.expires, now),
      enabled: input.enabled ?? true,
      createdAt: now,
    });
    const { id: _id, name: _name, createdAt: _createdAt, updatedAt: _updatedAt, lastUsedAt: _lastUsedAt, ...fields } = policy;
    await this.record('policy.created', policy, issuer, by, now, fields);
    return trustPolicyViewOf(policy);
  }

  async list(issuer?: string): Promise<TrustPolicyView[]> {
    const policies = issuer === undefined ? await this.deps.store.list() : await this.deps.store.listForIssuer((await this.findIssuer(issuer)).id);
    return policies.map(trustPolicyViewOf);
  }

  async get(reference: string): Promise<TrustPolicyView> {
    return trustPolicyViewOf(await this.find(reference));
  }

  async update(reference: string, input: UpdateTrustPolicyInput, by: Actor = DEFAULT_ACTOR): Promise<TrustPolicyView> {
    const now = this.deps.clock.now();
    const existing = await this.find(reference);
    const issuer = await this.findIssuer(String(existing.issuerId));
    const changes: { -readonly [K in keyof TrustPolicyChanges]: TrustPolicyChanges[K] } = {};
    if (input.name !== undefined) changes.name = parseFederationName(input.name, 'trust policy');
    const conditions = conditionsOf(input);
    if (conditions !== null) changes.conditions = conditions;
    if (input.repositories !== undefined || input.scopes !== undefined) {
      const grants = parsePolicyGrants(input.repositories ?? existing.repositories, input.scopes ?? existing.scopes);
      if (input.repositories !== undefined) changes.repositories = grants.repositories;
      if (input.scopes !== undefined) changes.scopes = grants.scopes;
    }
    if (input.credentialLifetime !== undefined) changes.credentialLifetimeSeconds = parseCredentialLifetime(lifetimeSeconds(input.credentialLifetime));
    if (input.allowForkTriggers !== undefined) changes.allowForkTriggers = input.allowForkTriggers;
    if (input.expires !== undefined) changes.expiresAt = input.expires === null ? null : parseExpiry(input.expires, now);
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    if (Object.keys(changes).length === 0) throw new InvalidInputError('nothing to change');
    // Checked on every change, so that re-enabling an old policy cannot bring back one without an owner ID.
    checkOwnerCondition(issuer, changes.conditions ?? existing.conditions);

    const updated = await this.deps.store.update(existing.id, changes, now);
    if (updated === null) throw new TrustPolicyNotFoundError(reference);
    await this.record('policy.updated', updated, issuer, by, now, { ...changes });
    return trustPolicyViewOf(updated);
  }

  private async find(reference: string): Promise<TrustPolicy> {
    const found = NUMERIC_ID.test(reference) ? await this.deps.store.findById(Number(reference)) : await this.deps.store.findByName(reference);
    if (found === null) throw new TrustPolicyNotFoundError(reference);
    return found;
  }

  private async findIssuer(reference: string): Promise<TrustedIssuer> {
    const found = NUMERIC_ID.test(reference) ? await this.deps.issuers.findById(Number(reference)) : await this.deps.issuers.findByName(reference);
    if (found === null) throw new TrustedIssuerNotFoundError(reference);
    return found;
  }

  private record(event: AuditEventType, policy: TrustPolicy, issuer: TrustedIssuer, by: Actor, now: Date, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit.recordDurably({
      occurredAt: now,
      event,
      actor: by.actor,
      deployTokenId: null,
      username: null,
      clientIp: by.clientIp ?? null,
      details: { policyId: policy.id, policy: policy.name, issuer: issuer.name, ...details },
    });
  }
}

/** Null when the input names no condition at all (an update that leaves them as they are). */
function conditionsOf(input: PolicyConditionsInput): ClaimCondition[] | null {
  const presets: PolicyPreset[] = [];
  if (input.github !== undefined) presets.push({ kind: 'github', github: input.github });
  if (input.gitlab !== undefined) presets.push({ kind: 'gitlab', gitlab: input.gitlab });
  if (input.kubernetes !== undefined) presets.push({ kind: 'kubernetes', kubernetes: input.kubernetes });
  if (presets.length === 0 && input.conditions === undefined) return null;
  return parseConditions([...presets.flatMap(presetConditions), ...(input.conditions ?? [])]);
}

function lifetimeSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (SECONDS.test(trimmed)) return Number(trimmed);
  const ms = parseDuration(trimmed);
  if (ms === null || ms % 1000 !== 0) throw new InvalidInputError(`invalid credential lifetime "${text.slice(0, 20)}": use seconds or a duration such as 15m or 1h`);
  return ms / 1000;
}
