import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest, type AgentOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTHeaderParameters } from 'jose';
import type { JsonWebKeySet } from '../../src/core/federation/trusted-issuer.js';
import { selfSignedServerCertificate } from './tls-certificate.js';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks';

/**
 * What the issuer does wrong on purpose, until `fault('none')`:
 * `server-error` answers 500; `redirect` answers 302 to a copy of the document elsewhere on the same server
 * (so a client that follows it would succeed); `oversized` streams a 128 KiB JSON document without a length;
 * `slow` sends headers and then nothing until the issuer closes; `empty-set` publishes `{"keys":[]}`;
 * `kid-less-key` publishes the signing key without its `kid`.
 */
export type IssuerFault = 'none' | 'server-error' | 'redirect' | 'oversized' | 'slow' | 'empty-set' | 'kid-less-key';

/** Which documents a fault applies to. */
export type FaultTarget = 'discovery' | 'jwks' | 'both';

export interface OidcTestIssuerOptions {
  /** Served over https with a self-signed certificate (its PEM is `certificatePem`) unless `http`. */
  readonly protocol?: 'https' | 'http';
  /** The `iss` it names in discovery and in tokens; its own loopback URL by default. */
  readonly issuer?: string;
  /** Where discovery says the JWKS is; its own `JWKS_PATH` on the issuer URL by default. */
  readonly jwksUri?: string;
  /**
   * Host names `fetch` sends to this server (and its certificate names): the host of `issuer` and of
   * `jwksUri` always, so `https://token.actions.githubusercontent.com` reaches loopback with the https rule on.
   */
  readonly hostNames?: readonly string[];
}

export interface MintOptions {
  /** The header's `kid`; the current key's by default, `null` leaves it out. */
  readonly kid?: string | null;
  /** Signs with this algorithm (RS256 by default; the RSA key also signs PS256/384/512 and RS384/512). */
  readonly alg?: string;
  /** Extra or overriding protected-header parameters. */
  readonly header?: Partial<JWTHeaderParameters>;
}

interface SigningKey {
  readonly kid: string;
  /** Imported per algorithm when minting: WebCrypto binds a key to one (RSASSA-PKCS1 or RSA-PSS). */
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly publicKeyPem: string;
}

/**
 * A small OpenID issuer on 127.0.0.1 serving discovery and a JWKS, with scripted faults, for verifier and
 * key-set tests. Tokens are minted with whatever claims the test gives: nothing is added on its behalf.
 */
export class OidcTestIssuer {
  /** Requests received, by path (`requestsTo(JWKS_PATH)`) or in all (`requests`). */
  private readonly requestLog: string[] = [];
  private keys: SigningKey[] = [];
  private generation = 0;
  private currentFault: IssuerFault = 'none';
  private faultTarget: FaultTarget = 'both';
  private readonly heldResponses = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    /** `https://127.0.0.1:PORT` (or http): where the documents really are. */
    readonly url: string,
    /** The `iss` value of its discovery document and what tests put in tokens. */
    readonly issuer: string,
    readonly jwksUri: string,
    /** Trust this as a CA to reach it over https; null over http. */
    readonly certificatePem: string | null,
    private readonly hostNames: ReadonlySet<string>,
  ) {}

  /**
   * An https.Agent that connects every request for one of its host names to this server on loopback,
   * trusting its certificate (checked against the requested name); any other host fails as if unresolvable.
   */
  httpsAgent(): HttpsAgent {
    if (this.certificatePem === null) throw new Error('this test issuer serves plain http');
    const port = Number(new URL(this.url).port);
    const hostNames = this.hostNames;
    class LoopbackAgent extends HttpsAgent {
      override createConnection(...args: Parameters<HttpsAgent['createConnection']>): ReturnType<HttpsAgent['createConnection']> {
        const [options, callback] = args as [AgentOptions & { host?: string; servername?: string }, never];
        const host = options.host ?? '';
        const routed = hostNames.has(host)
          ? { ...options, host: '127.0.0.1', port, servername: host }
          : { ...options, lookup: unresolvable };
        return super.createConnection(routed, callback);
      }
    }
    return new LoopbackAgent({ ca: this.certificatePem, keepAlive: false });
  }

  /**
   * A `fetch` that connects every request for one of its host names to this server on loopback (trusting its
   * certificate, checked against the requested name) and refuses any other host as if the network were
   * absent. It never follows redirects, whatever `init.redirect` says: a 3xx is returned as it came.
   */
  readonly fetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const target = new URL(input instanceof Request ? input.url : input);
    if (!this.hostNames.has(target.hostname)) return Promise.reject(new TypeError(`fetch failed: ${target.hostname} is not routed to a test issuer`));
    const port = Number(new URL(this.url).port);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const options = { host: '127.0.0.1', port, path: `${target.pathname}${target.search}`, method: init.method ?? 'GET', headers: { ...headers, host: target.host } };
    return new Promise<Response>((resolve, reject) => {
      const onResponse = (response: IncomingMessage) => resolve(toFetchResponse(response));
      const sent =
        target.protocol === 'https:' && this.certificatePem !== null
          ? httpsRequest({ ...options, servername: target.hostname, ca: this.certificatePem }, onResponse)
          : target.protocol === 'http:' && this.certificatePem === null
            ? httpRequest(options, onResponse)
            : null;
      if (sent === null) return reject(new TypeError(`fetch failed: this test issuer does not serve ${target.protocol}`));
      const signal = init.signal ?? undefined;
      const abort = () => sent.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
      if (signal?.aborted === true) abort();
      signal?.addEventListener('abort', abort, { once: true });
      sent.on('error', reject).end();
    });
  };

  static async start(options: OidcTestIssuerOptions = {}): Promise<OidcTestIssuer> {
    const protocol = options.protocol ?? 'https';
    let handler: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
    const route = (request: IncomingMessage, response: ServerResponse) => handler(request, response);
    const hostNames = [...(options.hostNames ?? []), ...[options.issuer, options.jwksUri].flatMap((url) => (url === undefined ? [] : [new URL(url).hostname]))];
    const certificate = protocol === 'https' ? selfSignedServerCertificate(new Date(), hostNames) : null;
    const server =
      certificate === null ? createHttpServer(route) : createHttpsServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, route);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const issuer = options.issuer ?? url;
    const jwksUri = options.jwksUri ?? `${issuer}${JWKS_PATH}`;
    const created = new OidcTestIssuer(server, url, issuer, jwksUri, certificate?.certificatePem ?? null, new Set([...hostNames, '127.0.0.1']));
    handler = (request, response) => created.handle(request, response);
    await created.rotate();
    return created;
  }

  /** How many requests it has received in all. */
  get requests(): number {
    return this.requestLog.length;
  }

  requestsTo(path: string): number {
    return this.requestLog.filter((requested) => requested === path).length;
  }

  /** The key set it publishes now (without faults). */
  get jwks(): JsonWebKeySet {
    return { keys: this.keys.map((key) => ({ ...key.publicJwk })) };
  }

  get currentKeyId(): string {
    return this.current().kid;
  }

  /** The current public key as SPKI PEM: what an HS256 key-confusion attack would use as its secret. */
  get publicKeyPem(): string {
    return this.current().publicKeyPem;
  }

  /**
   * A new signing key becomes current and is published; the previous keys are withdrawn unless
   * `keepPrevious` (an issuer that publishes its next key ahead keeps both). Returns the new kid.
   */
  async rotate(options: { keepPrevious?: boolean } = {}): Promise<string> {
    this.generation += 1;
    const kid = `test-key-${this.generation}`;
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const key: SigningKey = { kid, privateJwk: await exportJWK(privateKey), publicJwk, publicKeyPem: await exportSPKI(publicKey) };
    this.keys = options.keepPrevious === true ? [...this.keys, key] : [key];
    return kid;
  }

  /** Signs `claims` as given with the current key (RS256 unless `alg`). */
  async mint(claims: Readonly<Record<string, unknown>>, options: MintOptions = {}): Promise<string> {
    const key = this.current();
    const alg = options.alg ?? 'RS256';
    const kid = options.kid === undefined ? key.kid : options.kid;
    const header: JWTHeaderParameters = { alg, typ: 'JWT', ...(kid === null ? {} : { kid }), ...options.header };
    return new SignJWT({ ...claims }).setProtectedHeader(header).sign(await importJWK(key.privateJwk, alg));
  }

  fault(kind: IssuerFault, target: FaultTarget = 'both'): void {
    this.currentFault = kind;
    this.faultTarget = target;
    if (kind !== 'slow') this.releaseHeldResponses();
  }

  async close(): Promise<void> {
    this.releaseHeldResponses();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private current(): SigningKey {
    const key = this.keys.at(-1);
    if (key === undefined) throw new Error('the issuer has no signing key');
    return key;
  }

  private discoveryDocument(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: this.jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', this.url).pathname;
    this.requestLog.push(path);
    if (path === `/moved${DISCOVERY_PATH}`) return sendJson(response, this.discoveryDocument());
    if (path === `/moved${JWKS_PATH}`) return sendJson(response, this.jwks);
    const document = path === DISCOVERY_PATH ? 'discovery' : path === JWKS_PATH ? 'jwks' : null;
    if (document === null) return sendJson(response, { error: 'not found' }, 404);
    if (this.faultTarget === 'both' || this.faultTarget === document) {
      if (this.serveFault(document, path, response)) return;
    }
    sendJson(response, document === 'discovery' ? this.discoveryDocument() : this.jwks);
  }

  /** Answers with the current fault if it applies to `document`; false when the document is served as usual. */
  private serveFault(document: 'discovery' | 'jwks', path: string, response: ServerResponse): boolean {
    switch (this.currentFault) {
      case 'none':
        return false;
      case 'server-error':
        sendJson(response, { error: 'internal' }, 500);
        return true;
      case 'redirect':
        response.writeHead(302, { location: `${this.url}/moved${path}` }).end();
        return true;
      case 'oversized':
        streamOversizedJson(response);
        return true;
      case 'slow':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.flushHeaders();
        this.heldResponses.add(response);
        return true;
      case 'empty-set':
        if (document !== 'jwks') return false;
        sendJson(response, { keys: [] });
        return true;
      case 'kid-less-key':
        if (document !== 'jwks') return false;
        sendJson(response, { keys: this.jwks.keys.map(({ kid: _kid, ...rest }) => rest) });
        return true;
    }
  }

  private releaseHeldResponses(): void {
    for (const response of this.heldResponses) response.destroy();
    this.heldResponses.clear();
  }
}

function unresolvable(hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
}

function toFetchResponse(response: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const status = response.statusCode ?? 502;
  const bodyless = status === 204 || status === 304;
  if (bodyless) response.resume();
  const body = bodyless ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
  return new Response(body, { status, headers });
}

function sendJson(response: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Valid JSON of 128 KiB in 4 KiB chunks with no content-length, so only a cap while reading can stop it. */
function streamOversizedJson(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"keys":[],"padding":"');
  const chunk = 'x'.repeat(4096);
  for (let written = 0; written < 128 * 1024; written += chunk.length) response.write(chunk);
  response.end('"}');
}

/** An `alg: none` token: a header and claims with an empty signature, as an attacker would send it. */
export function unsignedToken(claims: Readonly<Record<string, unknown>>, header: Readonly<Record<string, unknown>> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT', ...header })}.${encode(claims)}.`;
}
