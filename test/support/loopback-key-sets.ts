import { request } from 'node:https';
import { request as plainRequest } from 'node:http';
import type { KeySetSource } from '../../src/app/federation/federation-ports.js';
import type { JsonWebKeySet, TrustedIssuer } from '../../src/core/federation/trusted-issuer.js';
import { JWKS_PATH, type OidcTestIssuer } from './oidc-test-issuer.js';

/**
 * A plain KeySetSource for verifier tests: each configured issuer URL is served by a test issuer on loopback;
 * the last good set is kept and refetched on every miss (no cooldown: that is CachedKeySets' job).
 */
export class LoopbackKeySets implements KeySetSource {
  private readonly cached = new Map<string, JsonWebKeySet>();
  fetches = 0;

  constructor(private readonly servers: ReadonlyMap<string, OidcTestIssuer>) {}

  async keySetFor(issuer: TrustedIssuer, keyId: string): Promise<JsonWebKeySet | null> {
    const cached = this.cached.get(issuer.issuerUrl);
    if (cached !== undefined && holds(cached, keyId)) return cached;
    const server = this.servers.get(issuer.issuerUrl);
    if (server === undefined) throw new Error(`no test issuer serves ${issuer.issuerUrl}`);
    let fetched: JsonWebKeySet;
    try {
      fetched = await this.fetch(server);
    } catch (error) {
      if (cached !== undefined) return null;
      throw error;
    }
    this.cached.set(issuer.issuerUrl, fetched);
    return holds(fetched, keyId) ? fetched : null;
  }

  private fetch(server: OidcTestIssuer): Promise<JsonWebKeySet> {
    this.fetches += 1;
    const url = `${server.url}${JWKS_PATH}`;
    return new Promise((resolve, reject) => {
      const onResponse = (response: import('node:http').IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`JWKS answered ${response.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonWebKeySet);
          } catch (error) {
            reject(error as Error);
          }
        });
      };
      const sent = server.certificatePem === null ? plainRequest(url, onResponse) : request(url, { ca: server.certificatePem }, onResponse);
      sent.on('error', reject).end();
    });
  }
}

function holds(keySet: JsonWebKeySet, keyId: string): boolean {
  return keySet.keys.some((key) => key.kid === keyId);
}
