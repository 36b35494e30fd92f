import { join } from 'node:path';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { openStore } from '../../src/adapters/store/open-store.js';
import { startRegauthProcess, SERVICE, type RegauthProcess } from '../e2e/support/regauth-process.js';
import { makeWorkDir, removeWorkDir } from '../e2e/support/work-dir.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../support/postgres.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { runLoad } from './support/load-generator.js';

const describePostgres = (await postgresAvailable()) ? describe : describe.skip;

const IN_FLIGHT = 32;
/** The process is killed when this many tokens have been answered: under full load, mid-stream. */
const KILL_AFTER_ANSWERS = 400;
const MAX_REQUESTS = 20_000;

interface KilledRun {
  /** The jti of every token answered 200, decoded from the answered JWT. */
  readonly answeredJtis: readonly string[];
}

/** Blank: the default durability, whatever the environment running the tests says. */
const DEFAULT_DURABILITY = { REGAUTH_AUDIT_DURABILITY: '' };

/**
 * Runs IN_FLIGHT concurrent token requests against the service and SIGKILLs it once KILL_AFTER_ANSWERS
 * have been answered 200; every request then in flight fails. Resolves once the process is gone.
 */
async function killUnderLoad(service: RegauthProcess): Promise<KilledRun> {
  const { username, secret } = await service.createToken({ name: 'ci', repos: ['team/app'], scopes: ['read_registry'] });
  const authorization = `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
  const url = `${service.url}/token?service=${SERVICE}&scope=repository:team/app:pull`;
  const answeredJtis: string[] = [];
  const stop = new AbortController();
  await runLoad({
    concurrency: IN_FLIGHT,
    maxRequests: MAX_REQUESTS,
    stop: stop.signal,
    next: () => ({ tag: null, url, init: { headers: { authorization } } }),
    onResult: (result) => {
      if (result.status !== 200) return;
      answeredJtis.push(decodeJwt((result.body as { token: string }).token).jti as string);
      if (answeredJtis.length === KILL_AFTER_ANSWERS) {
        service.signal('SIGKILL');
        stop.abort();
      }
    },
  });
  expect(await service.exited()).toEqual({ code: null, signal: 'SIGKILL' });
  return { answeredJtis };
}

function expectEveryAnswerRecorded(run: KilledRun, recordedJtis: readonly (string | null)[]): void {
  expect(run.answeredJtis.length).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS);
  const recorded = new Set(recordedJtis);
  const unrecorded = run.answeredJtis.filter((jti) => !recorded.has(jti));
  expect({ answered: run.answeredJtis.length, unrecorded: unrecorded.length }).toEqual({ answered: run.answeredJtis.length, unrecorded: 0 });
}

describe('SIGKILL under load, durable audit (the default)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeWorkDir();
  });

  afterAll(async () => {
    if (dir !== undefined) await removeWorkDir(dir);
  });

  describePostgres('on PostgreSQL', () => {
    let schema: PostgresTestSchema;
    let service: RegauthProcess | undefined;

    afterAll(async () => {
      await service?.stop();
      await schema?.drop();
    });

    test('every token answered 200 has its token.issued row, found by jti', async () => {
      schema = await createPostgresTestSchema();
      service = await startRegauthProcess(join(dir, 'postgres'), { databaseUrl: schema.url, env: DEFAULT_DURABILITY });
      const run = await killUnderLoad(service);

      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        const rows = await client.query<{ jti: string | null }>(`SELECT details->>'jti' AS jti FROM audit_events WHERE event = 'token.issued'`);
        expectEveryAnswerRecorded(run, rows.rows.map((row) => row.jti));
      } finally {
        await client.end();
      }
    }, 120_000);
  });

  describe('on the embedded store', () => {
    let service: RegauthProcess | undefined;

    afterAll(async () => {
      await service?.stop();
    });

    test('every token answered 200 has its token.issued row once the data folder is reopened', async () => {
      const workDir = join(dir, 'embedded');
      service = await startRegauthProcess(workDir, { env: DEFAULT_DURABILITY });
      const run = await killUnderLoad(service);

      // The dead server's lock file is still there: openStore takes it over, as the next start would.
      const opened = await openStore(
        { url: null, dataDir: join(workDir, 'data'), poolSize: 1, connectTimeoutMs: 3000, queryTimeoutMs: 5000 },
        'cli',
        new RecordingLogger(),
      );
      try {
        const rows = await opened.db.query<{ jti: string | null }>(`SELECT details->>'jti' AS jti FROM audit_events WHERE event = 'token.issued'`);
        expectEveryAnswerRecorded(run, rows.map((row) => row.jti));
      } finally {
        await opened.close();
      }
    }, 120_000);
  });
});
