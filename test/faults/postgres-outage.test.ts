import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../src/core/deploy-token-secret.js';
import { startRegauthProcess, type RegauthProcess } from '../e2e/support/regauth-process.js';
import { makeWorkDir, removeWorkDir } from '../e2e/support/work-dir.js';
import { createPostgresBehindProxy, postgresAvailable, type PostgresBehindProxy, type PostgresTestSchema } from '../support/postgres.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { openDirectAdmin, type DirectAdmin } from './support/direct-admin.js';
import { runLoad, type LoadResult, type PlannedRequest } from './support/load-generator.js';

const describePostgres = (await postgresAvailable()) ? describe : describe.skip;

type Phase = 'before' | 'cutting' | 'down' | 'restoring' | 'after';
interface Tag {
  readonly sentIn: Phase;
  readonly kind: 'valid' | 'wrong-secret';
}

const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
/** A wrong secret with a correct checksum: only the database can tell it is wrong. */
const wrongSecret = () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH));

// PostgreSQL is taken away by cutting a TCP proxy between regauth and the shared server (never by stopping
// the server, which other suites use): open connections are reset and new ones refused, as when it stops.
describePostgres('PostgreSQL taken away under load, from a real regauth process', () => {
  let dir: string;
  let schema: PostgresTestSchema;
  let proxy: TcpProxy;
  let database: PostgresBehindProxy;
  let service: RegauthProcess;
  let admin: DirectAdmin;

  beforeAll(async () => {
    dir = await makeWorkDir();
    database = await createPostgresBehindProxy();
    ({ schema, proxy } = database);
    service = await startRegauthProcess(join(dir, 'regauth'), {
      databaseUrl: database.url,
      env: { REGAUTH_DB_CONNECT_TIMEOUT_MS: '1000', REGAUTH_LOG_LEVEL: 'info' },
    });
    admin = await openDirectAdmin(schema.url);
  }, 60_000);

  afterAll(async () => {
    await proxy?.start().catch(() => undefined);
    await admin?.close();
    await service?.stop();
    await database?.close();
    if (dir !== undefined) await removeWorkDir(dir);
  });

  test('answers 503 with Retry-After and grants nothing while it is gone, and recovers without a restart', async () => {
    const warm = await admin.create('warm', ['team/app'], ['read_registry']);
    // While PostgreSQL is away every valid request uses a token never used before: nothing cached can answer it.
    const fresh: { username: string; secret: string }[] = [];
    for (let index = 0; index < 40; index += 1) fresh.push(await admin.create(`fresh-${index}`, ['team/app'], ['read_registry']));

    let phase: Phase = 'before';
    let sentInDown = 0;
    const results: LoadResult<Tag>[] = [];
    const phaseAt: { at: number; phase: Phase }[] = [{ at: Date.now(), phase }];
    const enter = (next: Phase) => {
      phase = next;
      phaseAt.push({ at: Date.now(), phase });
    };
    const tokenUrl = `${service.url}/token?service=e2e-registry&scope=repository:team/app:pull,push`;
    let alternate = 0;
    const next = (): PlannedRequest<Tag> => {
      alternate += 1;
      const sentIn = phase;
      if (sentIn === 'down') sentInDown += 1;
      if (alternate % 2 === 0) {
        return { tag: { sentIn, kind: 'wrong-secret' }, url: tokenUrl, init: { headers: { authorization: basic(warm.username, wrongSecret()) } } };
      }
      const credentials = sentIn === 'down' || sentIn === 'cutting' ? fresh.pop() : warm;
      if (credentials === undefined) {
        return { tag: { sentIn, kind: 'wrong-secret' }, url: tokenUrl, init: { headers: { authorization: basic(warm.username, wrongSecret()) } } };
      }
      return { tag: { sentIn, kind: 'valid' }, url: tokenUrl, init: { headers: { authorization: basic(credentials.username, credentials.secret) } } };
    };
    const stop = new AbortController();
    const countIn = (wanted: Phase) => results.filter((result) => result.tag.sentIn === wanted).length;
    const waitFor = async (condition: () => boolean, what: string) => {
      for (let attempt = 0; attempt < 600 && !condition(); attempt += 1) await sleep(25);
      if (!condition()) throw new Error(`gave up waiting for ${what}`);
    };

    const load = runLoad({ concurrency: 6, next, onResult: (result) => results.push(result), stop: stop.signal, maxRequests: 5_000 });
    let readyWhileDown = 0;
    let readyAfter = 0;
    try {
      await waitFor(() => countIn('before') >= 30, '30 answers before the cut');
      enter('cutting');
      await proxy.cut();
      enter('down');
      await waitFor(() => sentInDown >= 30 && countIn('down') >= 24, 'answers while PostgreSQL is away');
      readyWhileDown = (await fetch(`${service.url}/readyz`)).status;
      enter('restoring');
      await proxy.start();
      enter('after');
      await waitFor(() => {
        const after = results.filter((result) => result.tag.sentIn === 'after');
        return after.length >= 30 && after.slice(-10).every((result) => result.status !== 503);
      }, 'recovery');
      readyAfter = (await fetch(`${service.url}/readyz`)).status;
    } finally {
      stop.abort();
      await load;
    }

    const cutBegun = phaseAt.find((entry) => entry.phase === 'cutting')!.at;
    const cutDone = phaseAt.find((entry) => entry.phase === 'down')!.at;
    const restoreBegun = phaseAt.find((entry) => entry.phase === 'restoring')!.at;
    const wholeWindow = results.filter((result) => result.tag.sentIn === 'down' && result.finishedAt <= restoreBegun && result.startedAt >= cutDone);
    const statuses = (list: LoadResult<Tag>[]) => [...new Set(list.map((result) => result.status))].sort();

    // Before: valid → 200 with pull only (push is not the token's), wrong secret → 401.
    const before = results.filter((result) => result.finishedAt < cutBegun);
    expect(statuses(before.filter((result) => result.tag.kind === 'valid'))).toEqual([200]);
    expect(statuses(before.filter((result) => result.tag.kind === 'wrong-secret'))).toEqual([401]);

    // While it is away: every request that needs the database is a 503 with Retry-After and the JSON error.
    expect(wholeWindow.filter((result) => result.tag.kind === 'valid').length).toBeGreaterThan(0);
    expect(statuses(wholeWindow)).toEqual([503]);
    for (const result of wholeWindow) {
      expect(result.headers?.get('retry-after')).toMatch(/^\d+$/);
      expect(result.body).toMatchObject({ error: 'temporarily_unavailable', errors: [{ detail: { reason: 'unavailable' } }] });
      expect(result.body).not.toHaveProperty('token');
      expect(result.body).not.toHaveProperty('access_token');
    }
    expect(readyWhileDown).toBe(503);

    // Requests caught by the cut or the restore: granted or refused, never an error of the service itself.
    for (const result of results) expect([200, 401, 503]).toContain(result.status);
    for (const result of results.filter((entry) => entry.status === 200)) {
      const claims = decodeJwt((result.body as { access_token: string }).access_token);
      expect(claims.access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    }

    process.stdout.write(
      `PostgreSQL outage: ${results.length} requests; ${before.length} answered before the cut, ` +
        `${wholeWindow.length} sent and answered while it was away (${statuses(wholeWindow).join(',')}), ` +
        `${results.filter((result) => result.tag.sentIn === 'after').length} after it came back\n`,
    );

    // Back without a restart.
    const after = results.filter((result) => result.tag.sentIn === 'after').slice(-10);
    expect(statuses(after.filter((result) => result.tag.kind === 'valid'))).toEqual([200]);
    expect(statuses(after.filter((result) => result.tag.kind === 'wrong-secret'))).toEqual([401]);
    expect(readyAfter).toBe(200);
    expect(service.logs()).toContain('dependency unavailable: nothing granted');
  }, 60_000);
});
