import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { redact } from '../../../src/adapters/logging/redaction.js';
import { runWithRequestId } from '../../../src/adapters/logging/request-context.js';
import { createWinstonLogger, type LogFormat } from '../../../src/adapters/logging/winston-logger.js';
import type { Logger } from '../../../src/app/ports.js';

const BASIC = 'Basic dXNlcjpwYXNz';
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXBsb3ktdG9rZW4tMSJ9.c2lnbmF0dXJlLWJ5dGVz';
const SECRET = 'regauth_jZsccjQLwkxHTqzwdi8RxzqQW9qY8Bi82qt4B7';

describe('redact', () => {
  describe('values under sensitive keys, in any case', () => {
    test.each([
      'authorization',
      'Authorization',
      'proxy-authorization',
      'password',
      'PASSWORD',
      'secret',
      'token',
      'access_token',
      'accessToken',
      'refresh_token',
      'identity_token',
      'secretHash',
      'secret_hash',
      'clientSecret',
      'client_secret',
      'Cookie',
      'set-cookie',
    ])('%s becomes [REDACTED]', (key) => {
      expect(redact({ [key]: 'hunter2', other: 'kept' })).toEqual({ [key]: '[REDACTED]', other: 'kept' });
    });

    test('a sensitive key hides a whole object or array, not only strings', () => {
      expect(redact({ token: { id: 1, secret: 'x' }, password: ['a', 'b'], secret: 42 })).toEqual({
        token: '[REDACTED]',
        password: '[REDACTED]',
        secret: '[REDACTED]',
      });
    });

    test.each(['tokenId', 'username', 'secrets', 'passwordless', 'authorized'])('%s is not a sensitive key', (key) => {
      expect(redact({ [key]: 'visible' })).toEqual({ [key]: 'visible' });
    });
  });

  describe('secrets inside longer strings', () => {
    test.each([
      ['Basic credentials', `header Authorization: ${BASIC} from 10.0.0.1`, 'header Authorization: Basic [REDACTED] from 10.0.0.1'],
      ['lower-case basic', 'authorization=basic dXNlcjpwYXNzd29yZA== end', 'authorization=basic [REDACTED] end'],
      ['a Bearer token', `got Bearer ${JWT} twice`, 'got Bearer [REDACTED] twice'],
      ['a deploy-token secret', `login with ${SECRET} failed`, 'login with regauth_[REDACTED] failed'],
      ['a bare JWT', `token=${JWT}; next`, 'token=[REDACTED JWT]; next'],
      [
        'a password in a form body',
        'grant_type=password&username=ci&password=hunter2&service=registry',
        'grant_type=password&username=ci&password=[REDACTED]&service=registry',
      ],
      ['PASSWORD= in any case', 'PASSWORD=hunter2 rest', 'PASSWORD=[REDACTED] rest'],
      [
        'a refresh token, whose random part holds _ and -',
        'used regauth_rt_Ab-_cD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE now',
        'used regauth_[REDACTED] now',
      ],
      ['an admin key', 'key regauth_admin_x-Y_z0123456789abcdefghijklmnopqrstuvwxyzABCD.', 'key regauth_[REDACTED].'],
      [
        'a refresh token in a form body',
        'grant_type=refresh_token&refresh_token=opaque-value&service=registry',
        'grant_type=refresh_token&refresh_token=[REDACTED]&service=registry',
      ],
      ['several secrets in one string', `${SECRET} and ${SECRET}`, 'regauth_[REDACTED] and regauth_[REDACTED]'],
    ])('%s', (_what, input, expected) => {
      expect(redact(input)).toBe(expected);
    });

    test('a secret is masked whatever the case of its marker and whatever surrounds it', () => {
      const credential = 'dXNlcjpwYXNzd29yZA';
      const markers = ['Basic ', 'BASIC ', 'bearer ', 'BeArEr\t', 'password=', 'PASSWORD=', 'refresh_token=', 'Refresh_Token='];
      fc.assert(
        fc.property(fc.string(), fc.constantFrom(...markers, ''), fc.string(), (before, marker, after) => {
          const secret = marker === '' ? SECRET : `${marker}${credential}`;
          const redacted = redact(`${before} ${secret} ${after}`) as string;
          expect(redacted).not.toContain(marker === '' ? SECRET : credential);
        }),
        { numRuns: 500 },
      );
    });

    test.each([
      ['an unsigned JWT, with an empty signature', 'got eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end', 'got [REDACTED JWT] end'],
      ['a JWT with more parts, all masked', `see ${JWT}.ZXh0cmE rest`, 'see [REDACTED JWT] rest'],
      ['a JWT-looking word with one dot, left alone', 'eyJ.and more', 'eyJ.and more'],
    ])('%s', (_what, input, expected) => {
      expect(redact(input)).toBe(expected);
    });

    test('a long run of JWT-like fragments is scanned once, not again from each fragment', () => {
      // A path such as /-eyJ-eyJ… made the JWT pattern rescan the rest of the run from every eyJ: quadratic.
      const hostile = `/${'-eyJ'.repeat(64 * 1024)}`;
      const started = performance.now();
      expect(redact(hostile)).toBe(hostile);
      expect(performance.now() - started).toBeLessThan(200);
    });

    test('a string without secrets is unchanged', () => {
      const text = 'GET /token?service=registry&scope=repository:team/app:pull 200';
      expect(redact(text)).toBe(text);
    });
  });

  test('walks nested objects and arrays', () => {
    const input = {
      request: { headers: { authorization: BASIC, 'user-agent': 'docker/27' }, query: { scope: 'repository:a:pull' } },
      events: [{ note: `used ${SECRET}` }, 'plain', [`Bearer ${JWT}`], 7, null, true],
    };
    expect(redact(input)).toEqual({
      request: { headers: { authorization: '[REDACTED]', 'user-agent': 'docker/27' }, query: { scope: 'repository:a:pull' } },
      events: [{ note: 'used regauth_[REDACTED]' }, 'plain', ['Bearer [REDACTED]'], 7, null, true],
    });
  });

  test('leaves the input untouched', () => {
    const input = { password: 'hunter2', nested: { note: SECRET } };
    redact(input);
    expect(input).toEqual({ password: 'hunter2', nested: { note: SECRET } });
  });

  test('turns an Error into its name and redacted message', () => {
    const error = new TypeError(`cannot use ${SECRET}`);
    expect(redact({ error })).toEqual({ error: { name: 'TypeError', message: 'cannot use regauth_[REDACTED]' } });
  });

  test('keeps Dates as they are', () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const output = redact({ at }) as { at: Date };
    expect(output.at).toBe(at);
  });

  test.each([undefined, null, 0, 42, true, 10n])('keeps %p as it is', (value) => {
    expect(redact(value)).toBe(value);
  });

  test('stops at its depth limit on cyclic input, masking the levels above it', () => {
    const node: Record<string, unknown> = { token: 'abc', note: `see ${SECRET}` };
    node.self = node;
    node.list = [node];

    const output = redact(node) as Record<string, unknown>;
    expect(output.token).toBe('[REDACTED]');
    expect(output.note).toBe('see regauth_[REDACTED]');
    const child = output.self as Record<string, unknown>;
    expect(child.token).toBe('[REDACTED]');
    expect(((output.list as unknown[])[0] as Record<string, unknown>).token).toBe('[REDACTED]');
  });

  test('a credential nested deeper than the depth limit is still not logged', () => {
    let deep: Record<string, unknown> = { password: 'hunter2', note: `see ${SECRET}` };
    for (let level = 0; level < 9; level += 1) deep = { child: deep };

    const text = JSON.stringify(redact(deep));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(SECRET);
  });
});

describe('winston logger', () => {
  /** A logger writing into a stream; `lines(count)` resolves once that many lines have arrived. */
  function loggerInto(format: LogFormat, level = 'debug'): { logger: Logger; lines: (count: number) => Promise<string[]> } {
    const stream = new PassThrough();
    let text = '';
    const complete = () => text.split('\n').slice(0, -1);
    let waiting: { count: number; resolve: (lines: string[]) => void } | null = null;
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (waiting !== null && complete().length >= waiting.count) waiting.resolve(complete());
    });
    const logger = createWinstonLogger({ level, format, stream });
    // winston hands lines to its stream asynchronously, in the order they were logged.
    const lines = (count: number) =>
      new Promise<string[]>((resolve) => {
        if (complete().length >= count) resolve(complete());
        else waiting = { count, resolve };
      });
    return { logger, lines };
  }

  const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

  test('writes one JSON line per record without the credentials it was given', async () => {
    const { logger, lines } = loggerInto('json');
    logger.info('token request', { authorization: BASIC, note: `secret ${SECRET}`, tokenId: 3 });

    const written = await lines(1);
    expect(written).toHaveLength(1);
    const line = written[0] as string;
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      message: 'token request',
      authorization: '[REDACTED]',
      note: 'secret regauth_[REDACTED]',
      tokenId: 3,
      timestamp: expect.stringMatching(ISO_TIME),
    });
    expect(line).not.toContain('dXNlcjpwYXNz');
    expect(line).not.toContain(SECRET);
  });

  test('a JSON line starts with its time, level and message, then its fields; a BigInt is written as text', async () => {
    const { logger, lines } = loggerInto('json');
    logger.info('counted', { zeta: 1, alpha: 2, bytes: 12345678901234567890n });

    const [line] = await lines(1);
    expect(Object.keys(JSON.parse(line as string) as object)).toEqual(['timestamp', 'level', 'message', 'zeta', 'alpha', 'bytes']);
    expect(line).toContain('"bytes":"12345678901234567890"');
  });

  test('masks secrets in the message itself', async () => {
    const { logger, lines } = loggerInto('json');
    logger.warn(`rejected Bearer ${JWT}`);

    const [line] = await lines(1);
    expect(JSON.parse(line as string)).toEqual({
      level: 'warn',
      message: 'rejected Bearer [REDACTED]',
      timestamp: expect.stringMatching(ISO_TIME),
    });
  });

  test('adds the request id of the work it runs in, and none outside it', async () => {
    const { logger, lines } = loggerInto('json');
    runWithRequestId('r-1', () => logger.info('inside'));
    logger.info('outside');

    const [inside, outside] = (await lines(2)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toEqual({ level: 'info', message: 'inside', requestId: 'r-1', timestamp: expect.stringMatching(ISO_TIME) });
    expect(outside).toEqual({ level: 'info', message: 'outside', timestamp: expect.stringMatching(ISO_TIME) });
  });

  test('keeps the request id across an await inside the work', async () => {
    const { logger, lines } = loggerInto('json');
    await runWithRequestId('r-2', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.debug('after await');
    });

    const [line] = await lines(1);
    expect(JSON.parse(line as string)).toMatchObject({ message: 'after await', requestId: 'r-2' });
  });

  test('drops records below its level', async () => {
    const { logger, lines } = loggerInto('json', 'warn');
    logger.info('hidden');
    logger.debug('hidden too');
    logger.error('shown');

    // The error is logged last, so once its line is here the others would have arrived before it.
    expect((await lines(1)).map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['shown']);
  });

  test('the pretty format masks credentials too', async () => {
    const { logger, lines } = loggerInto('pretty');
    logger.info(`login ${SECRET}`, { password: 'hunter2' });

    const [line] = await lines(1);
    expect(line).toContain('login regauth_[REDACTED] {"password":"[REDACTED]"}');
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain(SECRET);
  });
});
