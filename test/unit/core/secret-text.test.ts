import { looksLikeSecret, redactSecrets } from '../../../src/core/secret-text.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXBsb3ktdG9rZW4tMSJ9.c2lnbmF0dXJlLWJ5dGVz';

describe('looksLikeSecret', () => {
  test.each<[string, string, boolean]>([
    ['a deploy-token secret', 'regauth_jZsccjQLwkxHTqzwdi8RxzqQW9qY8Bi82qt4B7', true],
    ['a refresh token', 'regauth_rt_Ab-_cD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE', true],
    ['an admin key', 'regauth_admin_x-Y_z0123456789abcdefghijklmnopqrstuvwxyzABCD', true],
    ['a minted credential password', 'regauth_fed_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL', true],
    ['a minted credential refresh token', 'regauth_fedrt_Ab-_cD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE', true],
    ['a minted credential username', 'oidc-42', false],
    ['a JWT', JWT, true],
    ['a Basic header', 'Basic dXNlcjpwYXNz', true],
    ['a form body with a password', 'username=ci&password=hunter2', true],
    ['a generated username', 'deploy-token-12', false],
    ['a chosen username', 'ci.bot+gitlab', false],
    ['an empty string', '', false],
    ['the marker itself', '[redacted secret]', false],
    ['a JWT-like text without its dots', 'eyJ-eyJ-eyJ-eyJ', false],
  ])('%s: %p → %p', (_what, text, expected) => {
    expect(looksLikeSecret(text)).toBe(expected);
  });
});

describe('redactSecrets', () => {
  test('masks a JWT after a space, a quote or an equals sign, keeping the text around it', () => {
    expect(redactSecrets(`a ${JWT} "${JWT}" t=${JWT}`)).toBe('a [REDACTED JWT] "[REDACTED JWT]" t=[REDACTED JWT]');
  });

  test('masks a minted password and its refresh token wherever they appear', () => {
    const password = 'regauth_fed_0123456789ABCDEFGHIJKLMNOPQRSTUV1ggZdL';
    const refreshToken = 'regauth_fedrt_Ab-_cD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE';
    expect(redactSecrets(`login oidc-4 ${password}; refresh "${refreshToken}"`)).toBe(
      'login oidc-4 regauth_[REDACTED]; refresh "regauth_[REDACTED]"',
    );
  });

  test('a run of eyJ- with no dot is left as it is', () => {
    const text = 'eyJ-'.repeat(4000);
    expect(redactSecrets(text)).toBe(text);
  });
});
