import { createServer as createPlainServer, STATUS_CODES, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../app/ports.js';
import { errorBody, errorStatus } from './error-responses.js';
import type { TlsCredentials } from './tls-credentials.js';

/** Request line and headers together (Node's default, named so the README and tests can rely on it). */
export const MAX_HEADER_BYTES = 16 * 1024;

/** What Node's HTTP parser refuses before express sees the request, and how we answer it. */
const PARSER_ERRORS: Readonly<Record<string, { reason: string; message: string }>> = {
  HPE_HEADER_OVERFLOW: { reason: 'headers_too_large', message: `request line and headers exceed ${MAX_HEADER_BYTES} bytes` },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { reason: 'payload_too_large', message: 'chunk extensions too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { reason: 'request_timeout', message: 'the request was not received in time' },
};

/**
 * The listening server for the express app: HTTPS when given credentials. Requests Node's parser refuses
 * (oversized or malformed request line and headers, bad bytes) get the same JSON error body as the app's
 * own errors, not Node's empty one.
 */
export function createRegauthServer(app: RequestListener, tls: TlsCredentials | null, logger?: Logger): Server {
  const options = { maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false };
  const listener: RequestListener = (request, response) => {
    // Node would answer a missing Host itself, with an empty body; we refuse it the same way in JSON.
    if (request.headers.host === undefined && request.httpVersion === '1.1') {
      writeError(response, 'invalid_request', 'HTTP/1.1 requests need a Host header');
      return;
    }
    app(request, response);
  };
  const server: Server = tls === null ? createPlainServer(options, listener) : createTlsServer({ ...options, ...tls }, listener);
  server.on('clientError', (error: Error & { code?: string; reason?: string }, socket: Duplex) => {
    logger?.debug('malformed HTTP request refused', { code: error.code });
    answerClientError(error, socket);
  });
  return server;
}

function writeError(response: ServerResponse, reason: string, message: string): void {
  const body = JSON.stringify(errorBody(reason, message));
  response.writeHead(errorStatus(reason), {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  response.end(body);
}

function answerClientError(error: Error & { code?: string; reason?: string }, socket: Duplex & { _httpMessage?: ServerResponse | null }): void {
  // Never write into the middle of a response already under way on this socket (one fully written is fine).
  const inFlight = socket._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || (inFlight?.headersSent === true && !inFlight.writableEnded)) {
    socket.destroy();
    return;
  }
  const known = PARSER_ERRORS[error.code ?? ''];
  const { reason, message } = known ?? {
    reason: 'invalid_request',
    message: error.reason === undefined ? 'malformed HTTP request' : `malformed HTTP request: ${error.reason}`,
  };
  const status = errorStatus(reason);
  const body = JSON.stringify(errorBody(reason, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
