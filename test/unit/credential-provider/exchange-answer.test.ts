import { CredentialProviderError } from '../../../src/credential-provider/credential-provider-error.js';
import { describeExchangeRefusal, oneLine, parseExchangeSuccess } from '../../../src/credential-provider/exchange-answer.js';

describe('parseExchangeSuccess', () => {
  test('reads the username, the password and the seconds left', () => {
    const body = JSON.stringify({ username: 'u', password: 'p', expires_at: '2026-01-01T00:15:00Z', expires_in: 900, policy: 'team-pull' });
    expect(parseExchangeSuccess(body)).toEqual({ username: 'u', password: 'p', expiresInSeconds: 900 });
  });

  test.each<[string, string]>([
    ['not JSON', 'upstream error'],
    ['a list', '[]'],
    ['no password', JSON.stringify({ username: 'u', expires_in: 900 })],
    ['an empty username', JSON.stringify({ username: '', password: 'p', expires_in: 900 })],
    ['no expires_in', JSON.stringify({ username: 'u', password: 'p' })],
    ['a textual expires_in', JSON.stringify({ username: 'u', password: 'p', expires_in: '900' })],
  ])('refuses %s', (_name, body) => {
    expect(() => parseExchangeSuccess(body)).toThrow(CredentialProviderError);
  });
});

describe('describeExchangeRefusal', () => {
  const refusal = {
    error: 'invalid_token',
    error_description: 'the identity token was refused',
    errors: [{ code: 'IDENTITY_TOKEN_REFUSED', message: 'the identity token was refused', detail: { reason: 'no policy matches namespace ci' } }],
  };

  test.each<[string, number, string, string]>([
    ['regauth error body', 403, JSON.stringify(refusal), 'regauth refused the exchange with HTTP 403: IDENTITY_TOKEN_REFUSED: no policy matches namespace ci'],
    ['body without errors', 401, JSON.stringify({ error: 'invalid_token', error_description: 'expired' }), 'regauth refused the exchange with HTTP 401: invalid_token: expired'],
    ['non-JSON body', 503, '<html>\n</html>', 'regauth refused the exchange with HTTP 503'],
    ['empty body', 502, '', 'regauth refused the exchange with HTTP 502'],
  ])('%s', (_name, status, body, expected) => {
    expect(describeExchangeRefusal(status, body, [])).toBe(expected);
  });

  test('cuts a secret out and keeps to one printable line', () => {
    const body = JSON.stringify({ error: 'invalid_token', error_description: 'token tok.en.sig\nis bad' });
    expect(describeExchangeRefusal(401, body, ['tok.en.sig'])).toBe('regauth refused the exchange with HTTP 401: invalid_token: token [redacted] is bad');
  });
});

describe('oneLine', () => {
  test('bounds a long reason', () => {
    expect(oneLine('x'.repeat(10_000), [])).toBe(`${'x'.repeat(200)}...`);
  });

  test('replaces control and non-ASCII characters', () => {
    expect(oneLine('a\u0000b\u001bc\u00e9\u2028d', [])).toBe('a b c  d');
  });
});
