import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { isIPv4 } from 'node:net';
import type { JsonWebKeySet, TrustedIssuer } from '../../core/federation/trusted-issuer.js';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const MAX_KEY_SET_DOCUMENT_BYTES = 64 * 1024;
export const KEY_SET_FETCH_TIMEOUT_MS = 5_000;

const JSON_MEDIA_TYPES = new Set(['application/json', 'application/jwk-set+json']);

export interface KeySetFetcherOptions {
  /** Plain http to 127.0.0.0/8 and ::1 only: for tests and local issuers, never production. */
  readonly allowInsecureLoopbackIssuers: boolean;
  /** Agents the requests go through: tests route production host names to loopback with a test CA. */
  readonly httpsAgent?: HttpsAgent;
  readonly httpAgent?: HttpAgent;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

/** Why an issuer's key set could not be had: the URL, the status or the document; never retried here. */
export class KeySetFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySetFetchError';
  }
}

/**
 * Fetches a configured issuer's key set: through its discovery document or its `jwks_uri`. Https only,
 * no redirects followed, documents capped in size while they stream, and a timeout on each request.
 */
export class KeySetFetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: KeySetFetcherOptions) {
    this.timeoutMs = options.timeoutMs ?? KEY_SET_FETCH_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? MAX_KEY_SET_DOCUMENT_BYTES;
  }

  async fetchKeySet(issuer: TrustedIssuer): Promise<JsonWebKeySet> {
    switch (issuer.keySource.kind) {
      case 'inline':
        return keysWithKeyIds(issuer.keySource.jwks);
      case 'jwks_uri':
        return keysWithKeyIds(await this.fetchJwks(issuer.keySource.uri));
      case 'discovery':
        return keysWithKeyIds(await this.fetchJwks(await this.discoverJwksUri(issuer.issuerUrl)));
    }
  }

  private async discoverJwksUri(issuerUrl: string): Promise<string> {
    const document = await this.fetchJson(`${issuerUrl}${DISCOVERY_PATH}`);
    if (!isRecord(document)) throw new KeySetFetchError('the discovery document is not a JSON object');
    if (document.issuer !== issuerUrl) throw new KeySetFetchError('the discovery document names another issuer');
    if (typeof document.jwks_uri !== 'string') throw new KeySetFetchError('the discovery document has no jwks_uri');
    return document.jwks_uri;
  }

  private async fetchJwks(uri: string): Promise<JsonWebKeySet> {
    const document = await this.fetchJson(uri);
    if (!isRecord(document) || !Array.isArray(document.keys)) throw new KeySetFetchError('the JWKS document has no keys array');
    return { keys: document.keys.filter(isRecord) };
  }

  private async fetchJson(address: string): Promise<unknown> {
    const url = this.allowedUrl(address);
    const text = await this.fetchText(url);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new KeySetFetchError(`${url.origin} answered a document that is not JSON`, { cause: error });
    }
  }

  private allowedUrl(address: string): URL {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new KeySetFetchError('not a URL');
    }
    if (url.username !== '' || url.password !== '') throw new KeySetFetchError(`${url.origin}: a key-set URL must not carry credentials`);
    if (url.search !== '' || url.hash !== '') throw new KeySetFetchError(`${url.origin}: a key-set URL must not have a query or fragment`);
    if (url.protocol === 'https:') return url;
    if (url.protocol === 'http:' && this.options.allowInsecureLoopbackIssuers && isLoopbackHost(url.hostname)) return url;
    throw new KeySetFetchError(`${url.origin}: key sets are fetched over https only`);
  }

  private fetchText(url: URL): Promise<string> {
    return new Promise((resolve, reject) => {
      const fail = (message: string, cause?: unknown) => {
        clearTimeout(timer);
        sent.destroy();
        reject(new KeySetFetchError(`${url.origin}: ${message}`, { cause }));
      };
      const onResponse = (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) return fail(status >= 300 && status < 400 ? `answered a redirect (${status}), which is not followed` : `answered ${status}`);
        const mediaType = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        if (!JSON_MEDIA_TYPES.has(mediaType)) return fail(`answered content type "${mediaType.slice(0, 80)}", not JSON`);
        if (Number(response.headers['content-length'] ?? 0) > this.maxBytes) return fail(`document larger than ${this.maxBytes} bytes`);
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > this.maxBytes) return fail(`document larger than ${this.maxBytes} bytes`);
          chunks.push(chunk);
        });
        response.on('error', (error) => fail('the response broke off', error));
        response.on('end', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      };
      const requestOptions = { method: 'GET', headers: { accept: 'application/json' } };
      const sent =
        url.protocol === 'https:'
          ? httpsRequest(url, { ...requestOptions, ...(this.options.httpsAgent === undefined ? {} : { agent: this.options.httpsAgent }) }, onResponse)
          : httpRequest(url, { ...requestOptions, ...(this.options.httpAgent === undefined ? {} : { agent: this.options.httpAgent }) }, onResponse);
      const timer = setTimeout(() => fail(`no complete answer within ${this.timeoutMs} ms`), this.timeoutMs);
      sent.on('error', (error) => {
        clearTimeout(timer);
        reject(new KeySetFetchError(`${url.origin}: the request failed`, { cause: error }));
      });
      sent.end();
    });
  }
}

/** A key without a `kid` could only be tried blindly: it is left out. */
function keysWithKeyIds(keySet: JsonWebKeySet): JsonWebKeySet {
  return { keys: keySet.keys.filter((key) => typeof key.kid === 'string' && key.kid.length > 0) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}
