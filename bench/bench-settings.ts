import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from dist-bench/bench/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchSettings {
  readonly quick: boolean;
  /** Length of each measured scenario. */
  readonly durationSeconds: number;
  /** Load before a measured scenario that is not counted (JIT, caches, connection set-up). */
  readonly warmupSeconds: number;
  /** Connections for the cheap scenarios (warm, anonymous, baseline), and at most for the open-loop ones. */
  readonly connections: number;
  /** Connections for the bcrypt-bound scenarios (cold, wrong): enough to keep every core busy. */
  readonly bcryptConnections: number;
  /** Connections (each from its own loopback address) sending wrong passwords alongside the open-loop warm load. */
  readonly wrongAlongsideConnections: number;
  /** How long regauth idles after its first start before its idle RSS is read. */
  readonly idleSeconds: number;
  /** Deploy tokens in the store for the main run; the small-store run has SMALL_STORE_TOKENS. */
  readonly largeStoreTokens: number;
  readonly skopeoPulls: number;
  /** Identity tokens signed before the exchange load (warm-up included), each with its own jti. */
  readonly exchangeTokens: number;
  /** Baseline and (a) warm are measured in this many alternating pairs of runs, so drift in the machine's speed hits both alike. */
  readonly warmRounds: number;
  /** PostgreSQL to run on (a fresh schema is made in it and dropped at the end); null: the embedded store. */
  readonly databaseUrl: string | null;
  readonly resultsFile: string;
  /** Keep the work folder (logs of regauth, baseline and registries) for inspection. */
  readonly keepWorkDir: boolean;
  readonly cores: number;
}

export const SMALL_STORE_TOKENS = 100;
/** More exchanges per second than this machine class serves, so the pool of identity tokens lasts the run. */
const EXCHANGES_PER_SECOND_BOUND = 2_000;

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  return raw !== undefined && raw !== '' && raw !== '0' && raw !== 'false';
}

export function readBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = flag(env, 'BENCH_QUICK');
  const cores = availableParallelism();
  const durationSeconds = positiveNumber(env, 'BENCH_DURATION', quick ? 2 : 10);
  const largeStoreTokens = Math.round(positiveNumber(env, 'BENCH_TOKENS', quick ? 10_000 : 100_000));
  if (largeStoreTokens <= SMALL_STORE_TOKENS) throw new Error(`BENCH_TOKENS must be above ${SMALL_STORE_TOKENS}`);
  const databaseUrl = env.DATABASE_URL?.trim() ?? '';
  const warmupSeconds = Math.min(quick ? 1 : 3, durationSeconds);
  return {
    quick,
    durationSeconds,
    warmupSeconds,
    connections: Math.round(positiveNumber(env, 'BENCH_CONNECTIONS', 64)),
    bcryptConnections: Math.round(positiveNumber(env, 'BENCH_BCRYPT_CONNECTIONS', Math.max(8, 4 * cores))),
    wrongAlongsideConnections: Math.round(positiveNumber(env, 'BENCH_WRONG_CONNECTIONS', 32)),
    idleSeconds: positiveNumber(env, 'BENCH_IDLE_SECONDS', 5),
    largeStoreTokens,
    skopeoPulls: Math.round(positiveNumber(env, 'BENCH_PULLS', quick ? 3 : 10)),
    exchangeTokens: Math.round(positiveNumber(env, 'BENCH_EXCHANGE_TOKENS', EXCHANGES_PER_SECOND_BOUND * (warmupSeconds + durationSeconds))),
    warmRounds: Math.round(positiveNumber(env, 'BENCH_ROUNDS', quick ? 1 : 3)),
    databaseUrl: databaseUrl === '' ? null : databaseUrl,
    resultsFile: env.BENCH_RESULTS?.trim() || join(ROOT, 'bench', quick ? 'results.quick.json' : 'results.json'),
    keepWorkDir: flag(env, 'BENCH_KEEP'),
    cores,
  };
}
