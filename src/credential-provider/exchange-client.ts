import { request } from 'node:https';
import { CredentialProviderError } from './credential-provider-error.js';
import { describeExchangeRefusal, oneLine, parseExchangeSuccess } from './exchange-answer.js';
import type { ExchangedCredential } from './exchanged-credential.js';

const MAXIMUM_ANSWER_BYTES = 64 * 1024;

export interface ExchangeRequest {
  readonly url: URL;
  /** PEM certificates to trust instead of the system's, for a regauth behind a private CA. */
  readonly ca: string | undefined;
  readonly timeoutMs: number;
  readonly token: string;
  readonly policy: string | undefined;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

function post(exchange: ExchangeRequest, payload: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      outgoing.destroy(new CredentialProviderError(`regauth did not answer within ${exchange.timeoutMs} ms`));
    }, exchange.timeoutMs);
    const outgoing = request(
      exchange.url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
        ...(exchange.ca === undefined ? {} : { ca: exchange.ca }),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAXIMUM_ANSWER_BYTES) {
            outgoing.destroy(new CredentialProviderError(`regauth's answer is larger than ${MAXIMUM_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        incoming.on('error', fail);
        incoming.on('end', () => {
          clearTimeout(timer);
          resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    outgoing.on('error', fail);
    outgoing.end(payload);
  });
}

/** Exchanges the pod's service-account token at regauth's POST /federation/exchange for a minted credential. */
export async function exchangeServiceAccountToken(exchange: ExchangeRequest): Promise<ExchangedCredential> {
  const payload = JSON.stringify(exchange.policy === undefined ? { token: exchange.token } : { token: exchange.token, policy: exchange.policy });
  let answer: HttpAnswer;
  try {
    answer = await post(exchange, payload);
  } catch (error) {
    if (error instanceof CredentialProviderError) throw error;
    const reason = oneLine(error instanceof Error ? error.message : String(error), [exchange.token]);
    throw new CredentialProviderError(`cannot reach regauth at ${exchange.url.origin}: ${reason}`);
  }
  if (answer.status !== 200) throw new CredentialProviderError(describeExchangeRefusal(answer.status, answer.body, [exchange.token]));
  return parseExchangeSuccess(answer.body);
}
