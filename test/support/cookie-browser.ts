export interface BrowsedPage {
  readonly status: number;
  /** Where the last request of the redirect chain went. */
  readonly url: string;
  readonly headers: Headers;
  readonly text: string;
  /** Every URL requested, redirects included, in order. */
  readonly visited: readonly string[];
}

export interface NavigationOptions {
  /** A redirect to a URL starting with this is not followed: the page returned has status 0 and that URL. */
  readonly stopBefore?: string;
}

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/**
 * A small browser over fetch for sign-in flows: follows redirects, keeps cookies per origin (path-scoped,
 * deleted by Max-Age=0), submits forms. It does not model SameSite; tests of that need a real browser.
 */
export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, StoredCookie>>();

  get(url: string, options: NavigationOptions = {}): Promise<BrowsedPage> {
    return this.navigate(url, { method: 'GET' }, options);
  }

  postForm(url: string, fields: Readonly<Record<string, string>>, options: NavigationOptions = {}): Promise<BrowsedPage> {
    const body = new URLSearchParams(fields).toString();
    return this.navigate(url, { method: 'POST', body, contentType: 'application/x-www-form-urlencoded' }, options);
  }

  /** The value of a cookie this browser holds for an origin, or undefined. */
  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name)?.value;
  }

  setCookie(origin: string, name: string, value: string, path = '/'): void {
    this.cookiesOf(origin).set(name, { value, path });
  }

  private async navigate(start: string, init: { method: string; body?: string; contentType?: string }, options: NavigationOptions): Promise<BrowsedPage> {
    const visited: string[] = [];
    let url = start;
    let request = init;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      if (options.stopBefore !== undefined && hop > 0 && url.startsWith(options.stopBefore)) {
        return { status: 0, url, headers: new Headers(), text: '', visited };
      }
      visited.push(url);
      const target = new URL(url);
      if (target.hostname !== '127.0.0.1') throw new Error(`a request would leave loopback: ${url}`);
      const headers: Record<string, string> = {};
      const cookies = this.cookieHeader(target);
      if (cookies !== '') headers.cookie = cookies;
      if (request.contentType !== undefined) headers['content-type'] = request.contentType;
      const response = await fetch(url, { method: request.method, headers, redirect: 'manual', ...(request.body === undefined ? {} : { body: request.body }) });
      this.store(target, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) {
        return { status: response.status, url, headers: response.headers, text: await response.text(), visited };
      }
      await response.arrayBuffer();
      url = new URL(location, url).href;
      if (response.status !== 307 && response.status !== 308) request = { method: 'GET' };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${start}`);
  }

  private cookiesOf(origin: string): Map<string, StoredCookie> {
    let cookies = this.jar.get(origin);
    if (cookies === undefined) {
      cookies = new Map();
      this.jar.set(origin, cookies);
    }
    return cookies;
  }

  private cookieHeader(target: URL): string {
    return [...this.cookiesOf(target.origin).entries()]
      .filter(([, cookie]) => target.pathname === cookie.path || target.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  private store(target: URL, setCookies: readonly string[]): void {
    const cookies = this.cookiesOf(target.origin);
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator);
      const lower = attributes.map((attribute) => attribute.toLowerCase());
      const expired = lower.includes('max-age=0') || lower.some((attribute) => attribute.startsWith('expires=') && Date.parse(attribute.slice(8)) <= Date.now());
      if (expired) {
        cookies.delete(name);
        continue;
      }
      const path = attributes.find((attribute) => attribute.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      cookies.set(name, { value: pair.slice(separator + 1), path });
    }
  }
}
