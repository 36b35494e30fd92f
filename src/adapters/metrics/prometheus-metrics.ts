import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from '../../app/ports.js';
import type { CredentialCacheStats } from '../cache/hmac-credential-cache.js';
import type { KeySetFetchObserver, KeySetFetchOutcome } from '../federation/cached-key-sets.js';
import type { SqlPoolStats } from '../store/sql-database.js';
import { counterIncrementsFor, type AuditCounter } from './audit-event-metrics.js';

/** Parts of the service read at each scrape; a metric whose source is absent is not exported. */
export interface MetricsSources {
  readonly bcryptQueueDepth?: () => number;
  readonly credentialCache?: () => CredentialCacheStats;
  readonly databasePool?: () => SqlPoolStats;
}

export interface HttpRequestObservation {
  readonly method: string;
  /** A label from a fixed set (`token`, `admin_api`, …), never the raw path. */
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

export interface PrometheusMetricsOptions {
  /** Process and Node.js metrics (CPU, memory, event-loop delay, GC); default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * The service's metrics in a registry of its own (not prom-client's global one), so that several apps can
 * live in one process. Counters are fed by audit events and HTTP requests; gauges read their sources
 * when scraped.
 */
export class PrometheusMetrics implements KeySetFetchObserver {
  readonly registry = new Registry();
  private readonly counters: Readonly<Record<AuditCounter, Counter>>;
  private readonly httpDuration: Histogram;
  private readonly keySetFetches: Counter;

  constructor(sources: MetricsSources = {}, options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });
    this.counters = {
      audit_events: counter('regauth_audit_events_total', 'Audit events recorded, by event.', ['event']),
      tokens_issued: counter(
        'regauth_tokens_issued_total',
        'Registry tokens issued, by outcome (granted, partial, denied, no_scope) and grant (password, refresh_token, anonymous).',
        ['outcome', 'grant'],
      ),
      access_granted: counter(
        'regauth_access_granted_total',
        'Actions placed in issued tokens, one per resource and action, by resource type and action.',
        ['type', 'action'],
      ),
      access_refused: counter(
        'regauth_access_refused_total',
        'Requested actions left out of issued tokens, one per resource and action, by resource type and action.',
        ['type', 'action'],
      ),
      login_failures: counter('regauth_login_failures_total', 'Token requests refused for their credentials, by reason and grant.', [
        'reason',
        'grant',
      ]),
      lockouts: counter('regauth_lockouts_total', 'Token requests refused by the brute-force protection (too_many_attempts).', []),
      federation_exchanges: counter(
        'regauth_federation_exchanges_total',
        'Identity tokens presented for exchange, by outcome (minted or the refusal reason) and trusted issuer (none when unknown).',
        ['outcome', 'issuer'],
      ),
    };
    this.httpDuration = new Histogram({
      name: 'regauth_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route (token, admin_api, health, metrics, other) and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.keySetFetches = counter(
      'regauth_federation_key_set_fetches_total',
      'Fetches of trusted issuers\' key sets (discovery and JWKS), by issuer name and outcome (success, failure).',
      ['issuer', 'outcome'],
    );
    this.registerSources(sources);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** An AuditTrail observer. */
  readonly observeAuditEvent = (event: AuditEvent): void => {
    for (const { counter, labels, by } of counterIncrementsFor(event)) this.counters[counter].inc(labels, by);
  };

  /** A CachedKeySets observer. */
  readonly keySetFetched = (issuerName: string, outcome: KeySetFetchOutcome): void => {
    this.keySetFetches.inc({ issuer: issuerName, outcome });
  };

  observeHttpRequest({ method, route, status, seconds }: HttpRequestObservation): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  private registerSources(sources: MetricsSources): void {
    const registers = [this.registry];
    const { bcryptQueueDepth, credentialCache, databasePool } = sources;
    if (bcryptQueueDepth !== undefined) {
      new Gauge({
        name: 'regauth_bcrypt_queue_depth',
        help: 'Secret verifications waiting for a bcrypt worker.',
        registers,
        collect() {
          this.set(bcryptQueueDepth());
        },
      });
    }
    if (credentialCache !== undefined) {
      new Counter({
        name: 'regauth_credential_cache_lookups_total',
        help: 'Verified-credential cache lookups, by result (hit, miss, remembered_failure).',
        labelNames: ['result'],
        registers,
        collect() {
          const stats = credentialCache();
          this.reset();
          this.inc({ result: 'hit' }, stats.hits);
          this.inc({ result: 'miss' }, stats.misses);
          this.inc({ result: 'remembered_failure' }, stats.rememberedFailures);
        },
      });
      new Gauge({
        name: 'regauth_credential_cache_entries',
        help: 'Entries in the verified-credential cache.',
        registers,
        collect() {
          this.set(credentialCache().size);
        },
      });
    }
    if (databasePool !== undefined) {
      new Gauge({
        name: 'regauth_db_pool_connections',
        help: 'PostgreSQL connections of this process, by state (idle, in_use).',
        labelNames: ['state'],
        registers,
        collect() {
          const stats = databasePool();
          this.set({ state: 'idle' }, stats.idle);
          this.set({ state: 'in_use' }, stats.total - stats.idle);
        },
      });
      new Gauge({
        name: 'regauth_db_pool_max_connections',
        help: 'The most PostgreSQL connections this process opens (database.poolSize).',
        registers,
        collect() {
          this.set(databasePool().max);
        },
      });
      new Gauge({
        name: 'regauth_db_pool_waiting_queries',
        help: 'Queries waiting for a free PostgreSQL connection.',
        registers,
        collect() {
          this.set(databasePool().waiting);
        },
      });
    }
  }
}
