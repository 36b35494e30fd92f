import type { Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Renders a page (escaped by preact); a page showing a secret is never stored by a browser or proxy. */
export function sendPage(response: Response, page: VNode, options: { status?: number; secret?: boolean } = {}): void {
  response.status(options.status ?? 200);
  response.set('Cache-Control', options.secret === true ? 'no-store' : 'no-cache, private');
  response.type('html').send(`<!doctype html>${renderToString(page)}`);
}
