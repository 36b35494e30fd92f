import type { NextFunction, Request, Response } from 'express';
import type { UiSession, UiSessions } from '../../app/ui-sessions.js';
import { readCookie, SESSION_COOKIE } from './ui-cookies.js';
import { UI_PREFIX } from './layout.js';
import { csrfTokenMatches, isCrossOrigin } from './ui-security.js';

/** The signed-in session of a request, set by `requireSession`. */
export function sessionOf(response: Response): UiSession {
  return response.locals.uiSession as UiSession;
}

/** Anonymous requests go to the sign-in page; an ended session (idle, expired, revoked key) counts as none. */
export function requireSession(sessions: UiSessions) {
  return async (request: Request, response: Response, next: NextFunction) => {
    const sessionId = readCookie(request, SESSION_COOKIE);
    const session = sessionId === null ? null : await sessions.resume(sessionId);
    if (session === null) {
      response.redirect(303, `${UI_PREFIX}/sign-in`);
      return;
    }
    response.locals.uiSession = session;
    next();
  };
}

export class UiForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UiForbiddenError';
  }
}

/** Viewers read; only admins change anything or see a secret. */
export function requireAdmin(_request: Request, response: Response, next: NextFunction): void {
  if (sessionOf(response).role !== 'admin') throw new UiForbiddenError('Only an admin can do this: your role is viewer.');
  next();
}

/** Every state-changing request: same origin, and the session's synchronizer token in the form. */
export function requireSameOriginForm(request: Request, response: Response, next: NextFunction): void {
  if (isCrossOrigin(request)) throw new UiForbiddenError('This request came from another site and was refused.');
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (!csrfTokenMatches(sessionOf(response).csrfToken, body.csrf)) {
    throw new UiForbiddenError('This form has expired or did not come from regauth: reload the page and try again.');
  }
  next();
}

/** A form field as one string: absent and repeated fields are empty. */
export function field(request: Request, name: string): string {
  const value = ((request.body ?? {}) as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

export function queryText(request: Request, name: string): string {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
