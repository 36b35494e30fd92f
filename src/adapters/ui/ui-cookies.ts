import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'regauth_session';
/** The sign-in form's pre-session synchronizer token (double submit: cookie and form field must match). */
export const SIGN_IN_COOKIE = 'regauth_sign_in';
const SIGN_IN_COOKIE_SECONDS = 600;
/** The single sign-on flow id, from the redirect to the identity provider until its callback. */
export const SSO_FLOW_COOKIE = 'regauth_sso_flow';
const SSO_FLOW_COOKIE_PATH = '/ui/sign-in/oidc';

/** One cookie of the request, split by hand (no regular expression on client input). */
export function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    return part.slice(separator + 1).trim();
  }
  return null;
}

function attributes(request: Request, maxAgeSeconds: number | null): string {
  return ['HttpOnly', 'SameSite=Strict', 'Path=/', ...(request.secure ? ['Secure'] : []), ...(maxAgeSeconds === null ? [] : [`Max-Age=${maxAgeSeconds}`])].join('; ');
}

export function setSessionCookie(request: Request, response: Response, sessionId: string): void {
  response.append('Set-Cookie', `${SESSION_COOKIE}=${sessionId}; ${attributes(request, null)}`);
}

export function setSignInCookie(request: Request, response: Response, token: string): void {
  response.append('Set-Cookie', `${SIGN_IN_COOKIE}=${token}; ${attributes(request, SIGN_IN_COOKIE_SECONDS)}`);
}

export function clearCookie(request: Request, response: Response, name: string): void {
  response.append('Set-Cookie', `${name}=; ${attributes(request, 0)}`);
}

/**
 * SameSite=Lax, unlike every other cookie here: the provider's redirect back to the callback is a cross-site
 * navigation, on which a browser sends no Strict cookie. Scoped to the sign-in paths, for 10 minutes.
 */
export function setSsoFlowCookie(request: Request, response: Response, flowId: string, maxAgeSeconds: number): void {
  response.append('Set-Cookie', `${SSO_FLOW_COOKIE}=${flowId}; ${ssoFlowAttributes(request, maxAgeSeconds)}`);
}

export function clearSsoFlowCookie(request: Request, response: Response): void {
  response.append('Set-Cookie', `${SSO_FLOW_COOKIE}=; ${ssoFlowAttributes(request, 0)}`);
}

function ssoFlowAttributes(request: Request, maxAgeSeconds: number): string {
  return ['HttpOnly', 'SameSite=Lax', `Path=${SSO_FLOW_COOKIE_PATH}`, ...(request.secure ? ['Secure'] : []), `Max-Age=${maxAgeSeconds}`].join('; ');
}
