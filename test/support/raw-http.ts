import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends bytes as they are over a plain TCP connection and reads one HTTP response: for requests no HTTP
 * client will send (oversized or invalid header bytes, raw non-UTF-8, no Host). The response must carry a
 * Content-Length (every regauth answer does); the connection may stay open after it.
 */
export function sendRawRequest(port: number, bytes: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: RawResponse | Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        const parsed = parseResponse(received);
        if (parsed !== null) finish(parsed);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('error', (error) => finish(new Error(`socket error before a full response: ${error.message}; got ${JSON.stringify(received.toString('latin1'))}`)));
    socket.on('close', () => finish(new Error(`connection closed before a full response; got ${JSON.stringify(received.toString('latin1'))}`)));
    socket.write(bytes);
  });
}

function parseResponse(received: Buffer): RawResponse | null {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...headerLines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? Number.NaN);
  if (!Number.isInteger(length)) throw new Error(`response without Content-Length: ${statusLine}`);
  const body = received.subarray(end + 4);
  if (body.length < length) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
}
