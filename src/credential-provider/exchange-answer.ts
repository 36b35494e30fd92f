import { CredentialProviderError } from './credential-provider-error.js';
import type { ExchangedCredential } from './exchanged-credential.js';

const MAXIMUM_REASON_LENGTH = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Text from regauth made fit for one log line: printable ASCII only, bounded, with any secret cut out. */
export function oneLine(text: string, secrets: readonly string[]): string {
  let cleaned = text;
  for (const secret of secrets) if (secret !== '') cleaned = cleaned.split(secret).join('[redacted]');
  let line = '';
  for (const character of cleaned) {
    const code = character.charCodeAt(0);
    line += code >= 0x20 && code < 0x7f ? character : ' ';
    if (line.length >= MAXIMUM_REASON_LENGTH) return `${line}...`;
  }
  return line;
}

/** The minted credential from a 200 answer of POST /federation/exchange. */
export function parseExchangeSuccess(body: string): ExchangedCredential {
  const parsed = parseJson(body);
  if (!isRecord(parsed)) throw new CredentialProviderError('regauth answered 200 without a JSON object');
  const { username, password, expires_in: expiresIn } = parsed;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw new CredentialProviderError('regauth answered 200 without a username and password');
  }
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) {
    throw new CredentialProviderError('regauth answered 200 without a numeric expires_in');
  }
  return { username, password, expiresInSeconds: expiresIn };
}

/**
 * Why regauth refused the exchange, in one line: the status, the stable error code and regauth's reason
 * when its error body has them (`{"error","error_description","errors":[{"code","detail":{"reason"}}]}`).
 */
export function describeExchangeRefusal(status: number, body: string, secrets: readonly string[]): string {
  const parsed = parseJson(body);
  const parts = [`regauth refused the exchange with HTTP ${status}`];
  if (isRecord(parsed)) {
    const first = Array.isArray(parsed.errors) && isRecord(parsed.errors[0]) ? parsed.errors[0] : undefined;
    const code = first?.code ?? parsed.error;
    const detail = isRecord(first?.detail) ? first.detail : undefined;
    const reason = detail?.reason ?? first?.message ?? parsed.error_description;
    if (typeof code === 'string' && code !== '') parts.push(code);
    if (typeof reason === 'string' && reason !== '') parts.push(reason);
  }
  return oneLine(parts.join(': '), secrets);
}
