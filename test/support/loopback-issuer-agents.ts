import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as connectTcp, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import type { OidcTestIssuer } from './oidc-test-issuer.js';

/**
 * Agents that reach production issuer host names (`token.actions.githubusercontent.com`) at loopback test
 * issuers, so tests keep the real `iss` strings and the https rule: the TLS connection must still verify
 * the test issuer's certificate (its own CA) for the requested name. A host with no test issuer fails as an
 * unknown name does. Unlike `OidcTestIssuer.httpsAgent()`, one pair of agents serves several issuers, plain
 * http too, and records every host a connection was asked for.
 */
export class LoopbackIssuerAgents {
  /** Every host name a connection was asked for, in order. */
  readonly connections: string[] = [];
  readonly https: HttpsAgent;
  readonly http: HttpAgent;

  constructor(private readonly issuersByHost: ReadonlyMap<string, OidcTestIssuer>) {
    const agents = this;
    this.https = new (class extends HttpsAgent {
      override createConnection(options: ClientRequestArgs): Duplex {
        return agents.connect(options, true);
      }
    })({ keepAlive: false });
    this.http = new (class extends HttpAgent {
      override createConnection(options: ClientRequestArgs): Duplex {
        return agents.connect(options, false);
      }
    })({ keepAlive: false });
  }

  private connect(options: ClientRequestArgs, secure: boolean): Duplex {
    const host = options.hostname ?? options.host ?? '';
    this.connections.push(host);
    const issuer = this.issuersByHost.get(host);
    if (issuer === undefined) return failingSocket(new Error(`getaddrinfo ENOTFOUND ${host} (no test issuer)`));
    const { port } = new URL(issuer.url);
    if (!secure) return connectTcp({ host: '127.0.0.1', port: Number(port) });
    if (issuer.certificatePem === null) return failingSocket(new Error(`the test issuer for ${host} serves plain http`));
    // The certificate is checked against the requested name: the test issuer's names its host names.
    return connectTls({ host: '127.0.0.1', port: Number(port), servername: host, ca: issuer.certificatePem });
  }
}

function failingSocket(error: Error): Socket {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(error));
  return socket;
}
