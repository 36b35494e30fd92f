import { z } from 'zod';
import { booleanSetting, commaSeparated } from './setting-types.js';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
// RFC 6749 scope-token: printable ASCII but space, `"` and `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;
const group = z.string().min(1).max(256);

/** `ui.oidc`: single sign-on for people in the web UI. Off while `issuer` is null. */
export const uiOidcSettings = z
  .object({
    issuer: z.string().min(1).max(2_048).nullable(),
    name: z.string().min(1).max(60).nullable(),
    clientId: z.string().min(1).max(256).nullable(),
    clientSecret: z.string().min(1).max(1_024).nullable(),
    scopes: commaSeparated(z.string().regex(SCOPE_TOKEN, 'not an OAuth scope (printable characters, no spaces or quotes)')),
    groupsClaim: z.string().min(1).max(100),
    adminGroups: commaSeparated(group),
    viewerGroups: commaSeparated(group),
    allowInsecureLoopbackIssuer: booleanSetting,
  })
  .strict()
  .superRefine((oidc, context) => {
    if (oidc.issuer === null) return;
    const problem = issuerProblem(oidc.issuer, oidc.allowInsecureLoopbackIssuer);
    if (problem !== null) context.addIssue({ code: 'custom', path: ['issuer'], message: problem });
    if (oidc.clientId === null) context.addIssue({ code: 'custom', path: ['clientId'], message: 'must be set when ui.oidc.issuer is' });
    if (!oidc.scopes.includes('openid')) context.addIssue({ code: 'custom', path: ['scopes'], message: 'must include openid' });
    if (oidc.adminGroups.length === 0 && oidc.viewerGroups.length === 0) {
      context.addIssue({ code: 'custom', path: ['adminGroups'], message: 'name at least one admin or viewer group: otherwise nobody can sign in' });
    }
  });

export type UiOidcSettings = z.infer<typeof uiOidcSettings>;

/** The issuer is kept exactly as written: discovery must name the same text, trailing slash and all. */
function issuerProblem(issuer: string, allowInsecureLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'not an absolute URL such as https://login.example.com/realms/staff';
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'http:' && !(loopback && allowInsecureLoopback)) {
    return 'use https (plain http only for a loopback host, with ui.oidc.allowInsecureLoopbackIssuer, for tests)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'use https';
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return 'must not carry a username, query or fragment';
  return null;
}
