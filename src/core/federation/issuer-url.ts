import { FederationConfigError } from './federation-error.js';

const MAX_URL_LENGTH = 2_048;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface IssuerUrlOptions {
  /** Accept `http:` for loopback hosts: for tests against an issuer on this machine, never in production. */
  readonly allowInsecureLoopback?: boolean;
}

/**
 * Checks an issuer URL (or a `jwks_uri`) once, when it is saved, and returns its normal form: https only, no
 * userinfo, query or fragment, one trailing slash removed. A token's `iss` is later compared with this exact
 * text, never parsed, so the URL must already be written as the WHATWG parser writes it (lowercase host, no
 * default port, no `..`, punycode for a non-ASCII host): otherwise it is refused with the form to use, which
 * also shows a lookalike host for what it is.
 */
export function normaliseIssuerUrl(text: string, options: IssuerUrlOptions = {}, what = 'issuer URL'): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_URL_LENGTH) throw invalid(what, text, `give 1 to ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(what, text, 'it is not an absolute URL such as https://token.actions.githubusercontent.com');
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && options.allowInsecureLoopback === true)) {
    throw invalid(what, text, 'use https (plain http only for a loopback host, and only with the insecure-loopback setting)');
  }
  if (url.username !== '' || url.password !== '' || trimmed.includes('@')) {
    throw invalid(what, text, 'it must not carry a username or password');
  }
  if (url.search !== '' || trimmed.includes('?')) throw invalid(what, text, 'it must not have a query');
  if (url.hash !== '' || trimmed.includes('#')) throw invalid(what, text, 'it must not have a fragment');
  const normal = withoutTrailingSlash(url.href);
  if (withoutTrailingSlash(trimmed) !== normal) throw invalid(what, text, `write it as ${normal}`);
  return normal;
}

function withoutTrailingSlash(text: string): string {
  return text.endsWith('/') ? text.slice(0, -1) : text;
}

function invalid(what: string, text: string, reason: string): FederationConfigError {
  return new FederationConfigError(`invalid ${what} "${text.slice(0, 120)}": ${reason}`);
}
