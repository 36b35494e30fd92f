import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { decodeJwt } from 'jose';
import { loadConfig, type RegauthConfig } from '../../../src/adapters/config/load-config.js';
import { MAX_HEADER_BYTES } from '../../../src/adapters/http/http-server.js';
import { TlsSetupError } from '../../../src/adapters/http/tls-credentials.js';
import { startRegauth, type RunningRegauth } from '../../../src/composition-root.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { selfSignedServerCertificate, type PemCertificate } from '../../support/tls-certificate.js';

interface Answer {
  readonly status: number;
  readonly body: string;
}

function httpsText(url: string, ca: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('the optional TLS listener', () => {
  let dir: string;
  let certificate: PemCertificate;
  let certFile: string;
  let keyFile: string;

  const configWith = (env: NodeJS.ProcessEnv): RegauthConfig =>
    loadConfig(
      {
        REGAUTH_HOST: '127.0.0.1',
        REGAUTH_PORT: '0',
        REGAUTH_DATA_DIR: join(dir, 'data'),
        REGAUTH_KEYS_DIR: join(dir, 'keys'),
        REGAUTH_LOG_LEVEL: 'error',
        ...env,
      },
      dir,
    );
  const start = (config: RegauthConfig) =>
    startRegauth(config, {
      logger: new RecordingLogger(),
      stores: inMemoryStores(new InMemoryDeployTokenStore()),
      hasher: new TransparentHasher(),
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-tls-'));
    certificate = selfSignedServerCertificate();
    certFile = join(dir, 'tls.crt');
    keyFile = join(dir, 'tls.key');
    await writeFile(certFile, certificate.certificatePem);
    await writeFile(keyFile, certificate.privateKeyPem, { mode: 0o600 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('with a certificate and key', () => {
    let running: RunningRegauth;
    let port: number;

    beforeAll(async () => {
      running = await start(configWith({ REGAUTH_TLS_CERT_FILE: 'tls.crt', REGAUTH_TLS_KEY_FILE: keyFile }));
      port = Number(new URL(running.url).port);
    }, 60_000);

    afterAll(async () => {
      await running?.close();
    });

    test('serves tokens over HTTPS to a client that trusts the certificate', async () => {
      expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const created = await running.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
      const basic = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
      const answer = await httpsText(`https://localhost:${port}/token?service=registry&scope=repository:team/app:pull`, certificate.certificatePem, {
        Authorization: basic,
      });
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.body) as { token: string };
      expect(decodeJwt(body.token).access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    });

    test('a client that does not trust the certificate is refused by TLS', async () => {
      await expect(
        new Promise((resolve, reject) => httpsGet(`https://localhost:${port}/token`, (response) => resolve(response.statusCode)).on('error', reject)),
      ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    });

    test('plain HTTP on the TLS port gets no token', async () => {
      const outcome = await new Promise<string>((resolve) => {
        httpGet(`http://127.0.0.1:${port}/token`, (response) => resolve(`status ${response.statusCode}`)).on('error', (error) =>
          resolve(`error ${(error as NodeJS.ErrnoException).code}`),
        );
      });
      expect(outcome).not.toBe('status 200');
    });

    test('a malformed request over TLS still gets a JSON error', async () => {
      const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: certificate.certificatePem });
      await once(socket, 'secureConnect');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      const closed = once(socket, 'close');
      socket.write(`GET /token HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`);
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 431 /);
      expect(received).toContain('"reason":"headers_too_large"');
    });
  });

  describe('refuses to start with a clear message', () => {
    test.each<[string, () => NodeJS.ProcessEnv, RegExp]>([
      ['a missing certificate', () => ({ REGAUTH_TLS_CERT_FILE: 'missing.crt', REGAUTH_TLS_KEY_FILE: keyFile }), /^cannot read the TLS certificate \(server\.tls\.certFile\) .*missing\.crt: ENOENT$/],
      ['a missing key', () => ({ REGAUTH_TLS_CERT_FILE: certFile, REGAUTH_TLS_KEY_FILE: 'missing.key' }), /^cannot read the TLS private key \(server\.tls\.keyFile\) .*missing\.key: ENOENT$/],
      ['a folder for a certificate', () => ({ REGAUTH_TLS_CERT_FILE: dir, REGAUTH_TLS_KEY_FILE: keyFile }), /^cannot read the TLS certificate .*: EISDIR$/],
      ['a key that does not belong to the certificate', () => ({ REGAUTH_TLS_CERT_FILE: certFile, REGAUTH_TLS_KEY_FILE: 'other.key' }), /^cannot use the TLS certificate .*tls\.crt with the key .*other\.key: .*/],
      ['a certificate that is not PEM', () => ({ REGAUTH_TLS_CERT_FILE: 'garbage.crt', REGAUTH_TLS_KEY_FILE: keyFile }), /^cannot use the TLS certificate .*garbage\.crt with the key .*: .*/],
    ])('%s', async (_name, env, message) => {
      await writeFile(join(dir, 'other.key'), selfSignedServerCertificate().privateKeyPem);
      await writeFile(join(dir, 'garbage.crt'), 'not a certificate');
      const config = configWith(env());
      const refusal = await start(config).then(
        (running) => running.close().then(() => null),
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(TlsSetupError);
      expect((refusal as Error).message).toMatch(message);
    });
  });
});
