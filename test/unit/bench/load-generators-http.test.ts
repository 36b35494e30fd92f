import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAddressLoad } from '../../../bench/address-load.js';
import { runLoad } from '../../../bench/load.js';
import { runOpenLoop } from '../../../bench/open-loop.js';

/** A loopback server that answers 200 (or 401 to a wrong header) and records each client address. */
async function startServer(): Promise<{ url: string; clientAddresses: string[]; server: Server }> {
  const clientAddresses: string[] = [];
  const server = createServer((request, response) => {
    clientAddresses.push(request.socket.remoteAddress ?? '');
    response.statusCode = request.headers.authorization === 'wrong' ? 401 : 200;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clientAddresses, server };
}

describe('bench load generators over loopback', () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    target = await startServer();
  });
  afterEach(async () => {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  });

  test('the open loop sends exactly rate × duration counted requests after the warm-up, and waits for every answer', async () => {
    const run = await runOpenLoop({
      baseUrl: target.url,
      ratePerSecond: 200,
      warmupSeconds: 0.1,
      durationSeconds: 0.25,
      connections: 4,
      nextRequest: () => ({ path: '/token' }),
      expectedStatus: 200,
    });
    expect(target.clientAddresses).toHaveLength(20 + 50);
    expect(run.result).toMatchObject({ scheduled: 50, answers: 50, statusCounts: { 200: 50 }, unexpected: 0, errors: 0 });
    expect(run.latencies.every((latency) => Number.isFinite(latency) && latency >= 0)).toBe(true);
  });

  test('the open loop counts answers with another status as unexpected', async () => {
    const run = await runOpenLoop({
      baseUrl: target.url,
      ratePerSecond: 100,
      warmupSeconds: 0,
      durationSeconds: 0.1,
      connections: 2,
      nextRequest: () => ({ path: '/token', headers: { authorization: 'wrong' } }),
      expectedStatus: 200,
    });
    expect(run.result).toMatchObject({ scheduled: 10, statusCounts: { 401: 10 }, unexpected: 10 });
  });

  test('each connection of the address load comes from its own loopback address', async () => {
    const localAddresses = ['127.0.1.1', '127.0.1.2', '127.0.1.3'];
    const result = await runAddressLoad({
      baseUrl: target.url,
      localAddresses,
      durationSeconds: 1,
      nextRequest: () => ({ path: '/token', headers: { authorization: 'wrong' } }),
      expectedStatus: 401,
    });
    expect(new Set(target.clientAddresses)).toEqual(new Set(localAddresses));
    expect(result.connections).toBe(3);
    expect(result.answers).toBeGreaterThan(0);
    expect(result.statusCounts).toEqual({ 401: result.answers });
    expect(result.unexpected).toBe(0);
  });
});

describe('the closed loop (autocannon) with a request body', () => {
  test('each POST carries the body its nextRequest gave it: every exchange presents its own identity token', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(`${request.method} ${request.headers['content-type']} ${Buffer.concat(chunks).toString('utf8')}`);
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let sent = 0;
    try {
      const result = await runLoad({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        connections: 2,
        durationSeconds: 1,
        nextRequest: () => ({
          method: 'POST',
          path: '/federation/exchange',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: `jwt-${(sent += 1)}` }),
        }),
        expectedStatus: 200,
      });
      expect(result.answers).toBeGreaterThan(10);
      const bodies = received.map((line) => line.replace('POST application/json ', ''));
      expect(received.every((line) => line.startsWith('POST application/json {"token":"jwt-'))).toBe(true);
      expect(new Set(bodies).size).toBe(bodies.length);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
