/**
 * `npm run bench`: regauth against a baseline under closed-loop (autocannon) and open-loop load, its
 * memory from its first start on an empty store, and a skopeo pull through a registry that
 * trusts regauth against the same registry with htpasswd auth. Prints each target with PASS/FAIL, then the
 * results table as its last lines, and writes the same as JSON. Exit code: 0 when the bench ran, whatever
 * the targets say; 1 when it could not run or a measurement is not valid (a process died, a sanity check
 * failed).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import bcrypt from 'bcryptjs';
import { loadConfig, type RegauthConfig } from '#regauth/adapters/config/load-config.js';
import { EXCHANGE_PATH } from '#regauth/federation-exchange-parts.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '#regauth/core/deploy-token-secret.js';
import { startDaemon, type Daemon } from '../test/e2e/support/daemon.js';
import { freePort } from '../test/e2e/support/free-port.js';
import { readBenchSettings, ROOT, SMALL_STORE_TOKENS, type BenchSettings } from './bench-settings.js';
import { BENCH_REPOSITORY, poolUsername, prepareBenchStore, seedDeployTokens, WARM_USERNAME } from './bench-store.js';
import { benchIdentityIssuer, exchangeBody, mintIdentityTokens, trustBenchIssuer } from './bench-federation.js';
import { runAddressLoad } from './address-load.js';
import { endEventLoopWindow, type EventLoopWindow } from './event-loop-reader.js';
import { pooledLoad, runLoad, type LoadResult, type RequestShape } from './load.js';
import { LoopbackAddresses } from './loopback-addresses.js';
import { pooledOpenLoop, runOpenLoop, type OpenLoopRun } from './open-loop.js';
import { MemorySampler, waitUntilIdle, worstPeak, type MemoryPeak } from './process-memory.js';
import { median } from './median.js';
import { comparePulls, missingPullTools } from './registry-pulls.js';
import {
  checkTargets,
  derivedFigures,
  resultLines,
  targetLines,
  TARGETS,
  type BenchMeasurements,
  type OpenLoopScenario,
  type Scenario,
} from './report.js';

const SERVICE = 'bench-registry';
const ISSUER = 'regauth-bench';
const BASELINE_SERVER = 'express 5, same parser, claims builder, key and signer as regauth; no auth, no database, no request log';
const READY_TIMEOUT_MS = 120_000;
/** The first start's child processes may live well under a second: sample it often. */
const FIRST_START_SAMPLE_MS = 50;
const SAMPLE_MS = 250;

const startedAt = Date.now();
function progress(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

/** Async clean-up steps, run once, newest first, on success, failure or Ctrl-C. */
class Cleanup {
  private readonly steps: (() => Promise<void>)[] = [];
  private done: Promise<void> | null = null;

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await step().catch((error: unknown) => progress(`clean-up: ${String(error)}`));
    })();
    return this.done;
  }
}

const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
const randomSecret = () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH));

/** The CPU cost of one bcrypt check at `cost`, in ms: the median of synchronous bcryptjs compares. */
function timeBcrypt(secret: string, hash: string, runs: number): number {
  bcrypt.compareSync(secret, hash);
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    bcrypt.compareSync(secret, hash);
    times.push(performance.now() - started);
  }
  return median(times);
}

interface RunningServer {
  readonly name: string;
  readonly url: string;
  readonly daemon: Daemon;
  readonly memory: MemorySampler | null;
  /** From the spawn until /readyz answered 200. */
  readonly readyAfterMs: number;
  /** Throws with the log tail if the process has exited. */
  assertAlive(): void;
  stop(): Promise<MemoryPeak | null>;
}

async function startServer(options: {
  name: string;
  script: string;
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  workDir: string;
  /** Sampling interval of the process tree's memory, from the moment it is spawned; null: none. */
  sampleMemoryMs: number | null;
}): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(options.workDir, `${options.name}.log`);
  const daemon = await startDaemon({
    name: options.name,
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), options.script],
    env: { ...options.env, REGAUTH_PORT: String(port) },
    cwd: options.workDir,
    logFile,
    // Returns at once so that sampling starts at the spawn, start-up included; readiness is awaited below.
    ready: async () => true,
    stopGraceMs: 15_000,
  });
  const memory = options.sampleMemoryMs === null ? null : new MemorySampler(daemon.pid, options.sampleMemoryMs);
  const spawnedAt = performance.now();
  let exited = false;
  void daemon.exited().then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${options.name} exited before it was ready; its log: ${logFile}\n${daemon.logs().slice(-3000)}`);
    if (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok, () => false)) break;
    if (performance.now() - spawnedAt > READY_TIMEOUT_MS) {
      memory?.stop();
      await daemon.stop();
      throw new Error(`${options.name} was not ready after ${READY_TIMEOUT_MS} ms; its log: ${logFile}\n${daemon.logs().slice(-3000)}`);
    }
    await sleep(100);
  }
  const readyAfterMs = performance.now() - spawnedAt;
  let stopped = false;
  return {
    name: options.name,
    url,
    daemon,
    memory,
    readyAfterMs,
    assertAlive: () => {
      try {
        process.kill(daemon.pid, 0);
      } catch {
        throw new Error(`${options.name} exited during the bench; its log: ${logFile}\n${daemon.logs().slice(-3000)}`);
      }
    },
    stop: async () => {
      if (stopped) return null;
      stopped = true;
      const peak = memory?.stop() ?? null;
      await daemon.stop();
      return peak;
    },
  };
}

function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}

interface WarmRound {
  readonly baseline: LoadResult;
  readonly warm: LoadResult;
  readonly eventLoop: EventLoopWindow | null;
  readonly mintedWarm: LoadResult;
  readonly mintedEventLoop: EventLoopWindow | null;
}

interface OpenLoopRound {
  readonly baseline: OpenLoopRun;
  readonly warm: { readonly result: OpenLoopRun; readonly eventLoop: EventLoopWindow | null };
  readonly warmWithWrong: { readonly result: [OpenLoopRun, LoadResult]; readonly eventLoop: EventLoopWindow | null };
}

function worstEventLoop(windows: readonly (EventLoopWindow | null)[]): EventLoopWindow | null {
  return windows.reduce<EventLoopWindow | null>((worst, window) => (window !== null && (worst === null || window.p99Ms > worst.p99Ms) ? window : worst), null);
}

async function expectStatus(url: string, shape: RequestShape, status: number, what: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${shape.path}`, {
    method: shape.method ?? 'GET',
    headers: shape.headers ?? {},
    ...(shape.body === undefined ? {} : { body: shape.body }),
  });
  const text = await response.text();
  if (response.status !== status) throw new Error(`sanity check "${what}": expected ${status}, got ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** What the baseline must share with regauth for the comparison to be fair: key, algorithm and claims. */
function comparableClaims(token: string): unknown {
  const { header, payload } = decodeJwt(token);
  return {
    alg: header.alg,
    kid: header.kid,
    iss: payload.iss,
    aud: payload.aud,
    sub: payload.sub,
    lifetime: Number(payload.exp) - Number(payload.iat),
    access: payload.access,
  };
}

async function main(): Promise<number> {
  const settings = readBenchSettings();
  const cleanup = new Cleanup();
  process.once('SIGINT', () => {
    progress('interrupted: cleaning up');
    void cleanup.run().then(() => process.exit(130));
  });
  const workDir = await mkdtemp('/tmp/regauth-bench-');
  cleanup.add(async () => {
    if (settings.keepWorkDir) progress(`BENCH_KEEP: keeping ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  });
  try {
    return await runBench(settings, workDir, cleanup);
  } finally {
    await cleanup.run();
  }
}

async function runBench(settings: BenchSettings, workDir: string, cleanup: Cleanup): Promise<number> {
  const store = await prepareBenchStore(workDir, settings.databaseUrl);
  cleanup.add(() => store.dispose());
  const probeDir = join(workDir, 'probe');
  await mkdir(probeDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REGAUTH_HOST: '127.0.0.1',
    REGAUTH_PUBLIC_URL: '',
    REGAUTH_DATA_DIR: store.settings.dataDir,
    REGAUTH_KEYS_DIR: join(workDir, 'keys'),
    REGAUTH_SERVICE: SERVICE,
    REGAUTH_ISSUER: ISSUER,
    REGAUTH_LOG_FORMAT: 'json',
    // The default configuration otherwise (brute-force protection and audit durability included): wrong
    // passwords come from many loopback addresses (LoopbackAddresses) instead of the protection being off.
    DATABASE_URL: store.databaseUrl,
    BENCH_PROBE_DIR: probeDir,
  };
  const config: RegauthConfig = loadConfig({ ...env, REGAUTH_PORT: '0' }, workDir);
  const cost = config.secrets.bcryptCost;
  const secret = randomSecret();
  const secretHash = await bcrypt.hash(secret, cost);
  const bcryptMs = timeBcrypt(secret, secretHash, settings.quick ? 5 : 15);
  progress(`bcrypt cost ${cost}: ${bcryptMs.toFixed(1)} ms per bcryptjs compare on this machine`);

  const tokenPath = (scope: string) =>
    `${config.token.path}?${new URLSearchParams({ service: SERVICE, scope }).toString()}`;
  const pullPath = tokenPath(`repository:${BENCH_REPOSITORY}:pull`);
  const warmRequest: RequestShape = { path: pullPath, headers: { authorization: basic(WARM_USERNAME, secret) } };
  const poolSize = settings.largeStoreTokens - 1;
  let nextCold = 1;
  let coldWrapped = false;
  const coldRequest = (): RequestShape => {
    const username = poolUsername(nextCold);
    nextCold += 1;
    if (nextCold > poolSize) {
      nextCold = 1;
      coldWrapped = true;
    }
    return { path: pullPath, headers: { authorization: basic(username, secret) } };
  };
  // The worst case for the brute-force budget: an existing username (so the per-address budget never stops
  // the bcrypt) drawn at random (so no username and address pair reaches the 10 failures that lock it)
  // with a fresh random secret (so the failure cache never answers): every request costs a bcrypt.
  const wrongRequest = (): RequestShape => ({
    path: pullPath,
    headers: { authorization: basic(poolUsername(1 + Math.floor(Math.random() * poolSize)), randomSecret()) },
  });
  const anonymousRequest: RequestShape = { path: pullPath };
  const exchangeRequest = (identityToken: string): RequestShape => ({
    method: 'POST',
    path: EXCHANGE_PATH,
    headers: { 'content-type': 'application/json' },
    body: exchangeBody(identityToken),
  });

  const load = (url: string, connections: number, durationSeconds: number, nextRequest: () => RequestShape, expectedStatus = 200) =>
    runLoad({ baseUrl: url, connections, durationSeconds, nextRequest, expectedStatus });
  /** Lets the server finish the requests a load left behind before the next one starts. */
  const settle = async (server: RunningServer) => {
    if (!(await waitUntilIdle(server.daemon.pid))) progress(`warning: ${server.name} was still busy 120 s after the load stopped`);
  };
  const memoryPeaks: (MemoryPeak & { run: string })[] = [];
  const regauthScript = join(ROOT, 'dist', 'main.js');
  const probe = pathToFileURL(join(ROOT, 'dist-bench', 'bench', 'event-loop-probe.js')).href;
  const startRegauthServer = (name: string, sampleMemoryMs = SAMPLE_MS) =>
    startServer({ name, script: regauthScript, nodeArgs: ['--import', probe], env, workDir, sampleMemoryMs });
  const addresses = new LoopbackAddresses();

  // The first start, on an empty store and keys folder, as `npm start` does it the first time.
  progress(`first start of regauth on an empty ${store.kind} store, then ${settings.idleSeconds} s idle`);
  const firstStart = await startRegauthServer('regauth-first-start', FIRST_START_SAMPLE_MS);
  cleanup.add(async () => void (await firstStart.stop()));
  await sleep(settings.idleSeconds * 1000);
  firstStart.assertAlive();
  const idleAfterFirstStart = (firstStart.memory as MemorySampler).sample();
  const firstStartPeak = (await firstStart.stop()) as MemoryPeak;
  memoryPeaks.push({ run: firstStart.name, ...firstStartPeak });
  progress(`first start: ready after ${(firstStart.readyAfterMs / 1000).toFixed(1)} s`);

  // The small store: only the warm figure, to compare time per token with the large store's.
  progress(`store: ${store.kind}; seeding ${SMALL_STORE_TOKENS} deploy tokens`);
  await seedDeployTokens(store.settings, secretHash, SMALL_STORE_TOKENS);
  const small = await startRegauthServer('regauth-small-store');
  cleanup.add(async () => void (await small.stop()));
  await expectStatus(small.url, warmRequest, 200, 'warm credentials, small store');
  progress(`(a) warm credentials with ${SMALL_STORE_TOKENS} tokens in the store`);
  await load(small.url, settings.connections, settings.warmupSeconds, () => warmRequest);
  await settle(small);
  const warmSmallStore = await load(small.url, settings.connections, settings.durationSeconds, () => warmRequest);
  small.assertAlive();
  await settle(small);
  memoryPeaks.push({ run: small.name, ...((await small.stop()) as MemoryPeak) });

  progress(`seeding up to ${settings.largeStoreTokens} deploy tokens`);
  const seedStarted = performance.now();
  await seedDeployTokens(store.settings, secretHash, settings.largeStoreTokens);
  progress(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  progress('keyless access: trusting a GitHub-like issuer (inline JWKS) and a policy for the bench repository');
  const identityIssuer = benchIdentityIssuer();
  await trustBenchIssuer(identityIssuer, env, workDir);

  progress(`baseline server (${BASELINE_SERVER})`);
  const baselineServer = await startServer({
    name: 'baseline',
    script: join(ROOT, 'dist-bench', 'bench', 'baseline-server.js'),
    env,
    workDir,
    sampleMemoryMs: null,
  });
  cleanup.add(async () => void (await baselineServer.stop()));
  const baselineSample = String((await expectStatus(baselineServer.url, warmRequest, 200, 'baseline')).token);
  await load(baselineServer.url, settings.connections, settings.warmupSeconds, () => warmRequest);
  await settle(baselineServer);

  const regauth = await startRegauthServer('regauth');
  cleanup.add(async () => void (await regauth.stop()));
  const regauthSample = String((await expectStatus(regauth.url, warmRequest, 200, 'warm credentials')).token);
  if (JSON.stringify(comparableClaims(regauthSample)) !== JSON.stringify(comparableClaims(baselineSample))) {
    throw new Error(
      `the baseline does not sign what regauth signs:\n regauth  ${JSON.stringify(comparableClaims(regauthSample))}\n` +
        ` baseline ${JSON.stringify(comparableClaims(baselineSample))}`,
    );
  }
  await expectStatus(regauth.url, anonymousRequest, 200, 'anonymous');
  await expectStatus(regauth.url, coldRequest(), 200, 'cold credentials');
  await expectStatus(regauth.url, wrongRequest(), 401, 'wrong password');
  const minted = await expectStatus(regauth.url, exchangeRequest(identityIssuer.mint()), 200, 'keyless exchange');
  const mintedWarmRequest: RequestShape = { path: pullPath, headers: { authorization: basic(String(minted.username), String(minted.password)) } };
  await expectStatus(regauth.url, mintedWarmRequest, 200, 'warm minted credential');

  /** Runs one scenario and reads regauth's event-loop delay over exactly that time. */
  const measure = async <T>(label: string, run: () => Promise<T>): Promise<{ result: T; eventLoop: EventLoopWindow | null }> => {
    progress(label);
    await settle(regauth);
    await endEventLoopWindow(probeDir, regauth.daemon.pid);
    const result = await run();
    const eventLoop = await endEventLoopWindow(probeDir, regauth.daemon.pid);
    regauth.assertAlive();
    return { result, eventLoop };
  };
  const scenario = (label: string, { result, eventLoop }: { result: LoadResult; eventLoop: EventLoopWindow | null }): Scenario => ({
    label,
    load: result,
    eventLoop,
  });

  await load(regauth.url, settings.connections, settings.warmupSeconds, () => warmRequest);
  await load(regauth.url, settings.connections, settings.warmupSeconds, () => mintedWarmRequest);
  // The baseline stays up, idle while regauth runs: each round measures one right after the other.
  const warmRounds: WarmRound[] = [];
  for (let round = 1; round <= settings.warmRounds; round += 1) {
    const of = settings.warmRounds > 1 ? ` (round ${round} of ${settings.warmRounds})` : '';
    progress(`baseline${of}`);
    await settle(baselineServer);
    const baselineRun = await load(baselineServer.url, settings.connections, settings.durationSeconds, () => warmRequest);
    baselineServer.assertAlive();
    const warmRun = await measure(`(a) warm credentials${of}`, () =>
      load(regauth.url, settings.connections, settings.durationSeconds, () => warmRequest),
    );
    const mintedRun = await measure(`(e) warm minted credential${of}`, () =>
      load(regauth.url, settings.connections, settings.durationSeconds, () => mintedWarmRequest),
    );
    warmRounds.push({
      baseline: baselineRun,
      warm: warmRun.result,
      eventLoop: warmRun.eventLoop,
      mintedWarm: mintedRun.result,
      mintedEventLoop: mintedRun.eventLoop,
    });
  }
  const baseline = pooledLoad(warmRounds.map((round) => round.baseline));
  const warm = scenario('(a) warm credentials', {
    result: pooledLoad(warmRounds.map((round) => round.warm)),
    eventLoop: worstEventLoop(warmRounds.map((round) => round.eventLoop)),
  });
  const mintedWarm = scenario('(e) warm minted credential', {
    result: pooledLoad(warmRounds.map((round) => round.mintedWarm)),
    eventLoop: worstEventLoop(warmRounds.map((round) => round.mintedEventLoop)),
  });

  // Open loop: half the baseline's capacity, on a schedule, latency from each scheduled send.
  const openLoopRate = TARGETS.openLoopShareOfBaseline * baseline.requestsPerSecond;
  if (!(openLoopRate > 0)) throw new Error('the baseline answered nothing: no rate for the open-loop scenarios');
  const openLoad = (url: string) =>
    runOpenLoop({
      baseUrl: url,
      ratePerSecond: openLoopRate,
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.durationSeconds,
      connections: settings.connections,
      nextRequest: () => warmRequest,
      expectedStatus: 200,
    });
  const openRounds: OpenLoopRound[] = [];
  for (let round = 1; round <= settings.warmRounds; round += 1) {
    const of = settings.warmRounds > 1 ? ` (round ${round} of ${settings.warmRounds})` : '';
    progress(`open loop at ${openLoopRate.toFixed(0)} req/s: baseline${of}`);
    await settle(baselineServer);
    const baselineRun = await openLoad(baselineServer.url);
    baselineServer.assertAlive();
    const warmRun = await measure(`open loop: (a) warm credentials${of}`, () => openLoad(regauth.url));
    const wrongAddresses = addresses.take(settings.wrongAlongsideConnections);
    const withWrong = await measure(`open loop: (a) warm with wrong passwords from ${wrongAddresses.length} addresses alongside${of}`, () =>
      Promise.all([
        openLoad(regauth.url),
        runAddressLoad({
          baseUrl: regauth.url,
          localAddresses: wrongAddresses,
          durationSeconds: settings.warmupSeconds + settings.durationSeconds,
          nextRequest: wrongRequest,
          expectedStatus: 401,
        }),
      ]),
    );
    openRounds.push({ baseline: baselineRun, warm: warmRun, warmWithWrong: withWrong });
  }
  await baselineServer.stop();
  const openScenario = (label: string, runs: readonly OpenLoopRun[], eventLoops: readonly (EventLoopWindow | null)[]): OpenLoopScenario => ({
    label,
    load: pooledOpenLoop(runs),
    eventLoop: worstEventLoop(eventLoops),
  });
  const openLoop: BenchMeasurements['openLoop'] = {
    ratePerSecond: openLoopRate,
    baseline: openScenario('baseline', openRounds.map((round) => round.baseline), []),
    warm: openScenario('(a) warm credentials', openRounds.map((round) => round.warm.result), openRounds.map((round) => round.warm.eventLoop)),
    warmWithWrong: openScenario(
      '(a) warm, wrong passwords alongside',
      openRounds.map((round) => round.warmWithWrong.result[0]),
      openRounds.map((round) => round.warmWithWrong.eventLoop),
    ),
    wrongAlongside: scenario('(d) wrong alongside open-loop (a)', {
      result: pooledLoad(openRounds.map((round) => round.warmWithWrong.result[1])),
      eventLoop: worstEventLoop(openRounds.map((round) => round.warmWithWrong.eventLoop)),
    }),
  };
  const anonymous = scenario(
    '(c) anonymous',
    await measure('(c) anonymous', () => load(regauth.url, settings.connections, settings.durationSeconds, () => anonymousRequest)),
  );
  progress(`signing ${settings.exchangeTokens} identity tokens (a new jti each) for the exchanges`);
  const identityTokens = mintIdentityTokens(identityIssuer, settings.exchangeTokens);
  let nextIdentityToken = 0;
  let identityTokensWrapped = false;
  const nextExchange = (): RequestShape => {
    const token = identityTokens[nextIdentityToken] as string;
    nextIdentityToken += 1;
    if (nextIdentityToken >= identityTokens.length) {
      nextIdentityToken = 0;
      identityTokensWrapped = true;
    }
    return exchangeRequest(token);
  };
  await load(regauth.url, settings.connections, settings.warmupSeconds, nextExchange);
  const exchanges = scenario(
    '(f) keyless exchanges',
    await measure('(f) keyless exchanges (a new identity token each request)', () =>
      load(regauth.url, settings.connections, settings.durationSeconds, nextExchange),
    ),
  );
  if (identityTokensWrapped) progress(`warning: (f) used all ${identityTokens.length} identity tokens and replayed them; raise BENCH_EXCHANGE_TOKENS`);
  const cold = scenario(
    '(b) cold credentials',
    await measure('(b) cold credentials (a new token each request)', () =>
      load(regauth.url, settings.bcryptConnections, settings.durationSeconds, coldRequest),
    ),
  );
  const wrongAddresses = addresses.take(settings.bcryptConnections);
  const wrong = scenario(
    '(d) wrong passwords',
    await measure(`(d) wrong passwords from ${wrongAddresses.length} addresses`, () =>
      runAddressLoad({
        baseUrl: regauth.url,
        localAddresses: wrongAddresses,
        durationSeconds: settings.durationSeconds,
        nextRequest: wrongRequest,
        expectedStatus: 401,
      }),
    ),
  );
  if (coldWrapped) progress(`warning: (b) used all ${poolSize} cold usernames and started over; raise BENCH_TOKENS`);

  const missingTools = missingPullTools();
  let pulls: BenchMeasurements['pulls'];
  if (missingTools.length > 0) {
    pulls = { notRun: `${missingTools.join(', ')} not installed (scripts/install-test-deps.sh)` };
    progress(`skopeo pull comparison NOT RUN: ${pulls.notRun}`);
  } else {
    await settle(regauth);
    progress(`skopeo pulls: ${settings.skopeoPulls} through a registry using regauth, ${settings.skopeoPulls} with htpasswd`);
    pulls = await comparePulls({
      workDir: join(workDir, 'pulls'),
      tokenAuth: { realm: `${regauth.url}${config.token.path}`, service: SERVICE, issuer: ISSUER, rootCertBundle: config.registryBundlePath },
      repository: BENCH_REPOSITORY,
      username: WARM_USERNAME,
      secret,
      secretHash,
      pulls: settings.skopeoPulls,
    });
  }
  regauth.assertAlive();
  memoryPeaks.push({ run: regauth.name, ...((await regauth.stop()) as MemoryPeak) });

  const memory: BenchMeasurements['memory'] = {
    firstStart: firstStartPeak,
    idleAfterFirstStart,
    idleSeconds: settings.idleSeconds,
    wholeBench: worstPeak(memoryPeaks),
  };
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  progress(
    `peak RSS per regauth run (tree sampled / main VmHWM): ${memoryPeaks
      .map((peak) => `${peak.run} ${mib(peak.peakSampledRssBytes)} / ${mib(peak.mainPeakHwmBytes)}`)
      .join(', ')}`,
  );
  const measurements: BenchMeasurements = {
    cores: settings.cores,
    bcryptCost: cost,
    bcryptMs,
    smallStoreTokens: SMALL_STORE_TOKENS,
    largeStoreTokens: settings.largeStoreTokens,
    baseline: { label: 'baseline: parse + sign only', load: baseline, eventLoop: null },
    warm,
    warmSmallStore: { label: `(a) warm, ${SMALL_STORE_TOKENS} tokens in store`, load: warmSmallStore, eventLoop: null },
    mintedWarm,
    exchanges,
    cold,
    anonymous,
    wrong,
    openLoop,
    memory,
    pulls,
  };
  const checks = checkTargets(measurements);
  const perBaseline = (load: LoadResult, baselineLoad: LoadResult) =>
    baselineLoad.requestsPerSecond > 0 ? load.requestsPerSecond / baselineLoad.requestsPerSecond : 0;
  const rounds = warmRounds.map((round) => ({
    baselineRequestsPerSecond: round.baseline.requestsPerSecond,
    warmRequestsPerSecond: round.warm.requestsPerSecond,
    ratio: perBaseline(round.warm, round.baseline),
    mintedWarmRequestsPerSecond: round.mintedWarm.requestsPerSecond,
    mintedRatio: perBaseline(round.mintedWarm, round.baseline),
  }));
  await writeResults(settings, store.kind, config, measurements, checks, {
    coldUsernamesReused: coldWrapped,
    identityTokensReused: identityTokensWrapped,
    firstStartReadyAfterMs: firstStart.readyAfterMs,
    memoryByRun: memoryPeaks,
    warmRounds: rounds,
    openLoopRounds: openRounds.map((round) => ({
      baselineP99Ms: round.baseline.result.latencyMs.p99,
      warmP99Ms: round.warm.result.result.latencyMs.p99,
      warmWithWrongP99Ms: round.warmWithWrong.result[0].result.latencyMs.p99,
    })),
  });

  const storeName = store.kind === 'embedded' ? 'embedded store (PGlite)' : 'PostgreSQL (DATABASE_URL, a fresh schema)';
  const lines = [
    '',
    `regauth bench${settings.quick ? ' (quick)' : ''}: ${storeName}; ${settings.cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}); node ${process.version}`,
    `${settings.durationSeconds} s per scenario; ${settings.largeStoreTokens} deploy tokens; bcrypt cost ${cost} = ${bcryptMs.toFixed(1)} ms per check (bcryptjs)`,
    `brute-force protection ${config.bruteForce.enabled ? 'on' : 'off'}; wrong passwords from distinct 127.x addresses, ` +
      `random existing usernames, random secrets. Audit durability: ${auditDurability(config)}.`,
    `baseline: ${BASELINE_SERVER}.`,
    `first start on an empty store: ready after ${(firstStart.readyAfterMs / 1000).toFixed(1)} s. ` +
      `Load generators (autocannon; the open-loop scheduler; the address loop) run in the bench process, on the same machine.`,
    '',
    ...targetLines(checks),
    '',
    ...resultLines(measurements),
    ...(rounds.length > 1
      ? [
          `(a), (e) and baseline in ${rounds.length} alternating rounds, regauth/baseline per round: ` +
            `(a) ${rounds.map((round) => round.ratio.toFixed(2)).join(', ')}; (e) ${rounds.map((round) => round.mintedRatio.toFixed(2)).join(', ')}`,
        ]
      : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `audit.durability` arrives with another change; until then this build has no such setting. */
function auditDurability(config: RegauthConfig): string {
  return (config as { audit?: { durability?: string } }).audit?.durability ?? 'not a setting in this build';
}

async function writeResults(
  settings: BenchSettings,
  storeKind: string,
  config: RegauthConfig,
  measurements: BenchMeasurements,
  checks: ReturnType<typeof checkTargets>,
  notes: {
    coldUsernamesReused: boolean;
    firstStartReadyAfterMs: number;
    memoryByRun: readonly (MemoryPeak & { run: string })[];
    identityTokensReused: boolean;
    warmRounds: readonly {
      baselineRequestsPerSecond: number;
      warmRequestsPerSecond: number;
      ratio: number;
      mintedWarmRequestsPerSecond: number;
      mintedRatio: number;
    }[];
    openLoopRounds: readonly { baselineP99Ms: number; warmP99Ms: number; warmWithWrongP99Ms: number }[];
  },
): Promise<void> {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  const results = {
    finishedAt: new Date().toISOString(),
    commit,
    quick: settings.quick,
    machine: {
      cores: settings.cores,
      cpu: cpus()[0]?.model ?? null,
      memoryMiB: Math.round(totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    settings: {
      store: storeKind,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      bcryptConnections: settings.bcryptConnections,
      wrongAlongsideConnections: settings.wrongAlongsideConnections,
      idleSeconds: settings.idleSeconds,
      openLoopRatePerSecond: measurements.openLoop.ratePerSecond,
      smallStoreTokens: SMALL_STORE_TOKENS,
      largeStoreTokens: settings.largeStoreTokens,
      skopeoPulls: settings.skopeoPulls,
      exchangeTokens: settings.exchangeTokens,
      warmRounds: settings.warmRounds,
      bcryptCost: config.secrets.bcryptCost,
      logLevel: config.log.level,
      bruteForceProtection: config.bruteForce.enabled,
      auditDurability: auditDurability(config),
      baseline: BASELINE_SERVER,
    },
    bcryptMs: measurements.bcryptMs,
    ...notes,
    derived: derivedFigures(measurements),
    targets: checks,
    measurements,
  };
  await mkdir(dirname(settings.resultsFile), { recursive: true });
  await writeFile(settings.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  progress(`results written to ${settings.resultsFile}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
