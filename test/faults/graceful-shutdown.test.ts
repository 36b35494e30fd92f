import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { startRegauthProcess, type RegauthProcess } from '../e2e/support/regauth-process.js';
import { makeWorkDir, removeWorkDir } from '../e2e/support/work-dir.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../support/postgres.js';
import { connectionRefused, RawHttpConnection } from './support/raw-http.js';

const describePostgres = (await postgresAvailable()) ? describe : describe.skip;

async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting: ${what}`);
}

describePostgres('SIGTERM', () => {
  let dir: string;
  let schema: PostgresTestSchema;
  let service: RegauthProcess;

  beforeAll(async () => {
    dir = await makeWorkDir();
    schema = await createPostgresTestSchema();
    service = await startRegauthProcess(join(dir, 'regauth'), { databaseUrl: schema.url });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await schema?.drop();
    if (dir !== undefined) await removeWorkDir(dir);
  });

  test('stops accepting, finishes the request in flight, closes the pool and exits 0', async () => {
    const { username, secret } = await service.createToken({ name: 'ci', repos: ['team/app'], scopes: ['read_registry'] });
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: 'containerd-client',
      username,
      password: secret,
      service: 'e2e-registry',
      scope: 'repository:team/app:pull',
    }).toString();
    const half = Math.floor(form.length / 2);

    // A token request whose body is half sent when the signal arrives.
    const inFlight = await RawHttpConnection.open(service.port);
    await inFlight.send(
      `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${service.port}\r\n` +
        `Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: ${form.length}\r\n\r\n${form.slice(0, half)}`,
    );
    service.signal('SIGTERM');
    await eventually(() => service.logRecords().some((record) => record.message === 'stopping: finishing requests in flight'), 'the stop log line');

    await eventually(() => connectionRefused(service.port), 'new connections refused');
    await inFlight.send(form.slice(half));
    const response = await inFlight.response();
    inFlight.close();

    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { access_token: string };
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: username, access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
    expect(await service.exited()).toEqual({ code: 0, signal: null });

    const records = service.logRecords();
    expect(records.filter((record) => record.level === 'error' || record.level === 'warn')).toEqual([]);
    expect(records).toContainEqual(expect.objectContaining({ message: 'stopping: finishing requests in flight', signal: 'SIGTERM' }));
    const messages = records.map((record) => record.message);
    const stopping = messages.indexOf('stopping: finishing requests in flight');
    const served = records.findIndex((record) => record.message === 'audit' && record.event === 'token.issued');
    const stopped = messages.indexOf('stopped: requests finished, database connections closed');
    expect([stopping < served, served < stopped]).toEqual([true, true]);
    expect(stopped).toBe(records.length - 1);
  }, 30_000);
});
