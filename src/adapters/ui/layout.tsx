import type { ComponentChildren } from 'preact';
import type { UiSession } from '../../app/ui-sessions.js';
import { UI_SCRIPT, UI_STYLESHEET } from './ui-assets.js';

export const UI_PREFIX = '/ui';

export interface PageProps {
  readonly title: string;
  readonly session: UiSession | null;
  readonly children: ComponentChildren;
  /** A same-origin page to go on to at once (a `<meta>` refresh: no script needed). */
  readonly continueTo?: string;
}

const NAVIGATION: readonly (readonly [path: string, label: string, adminOnly: boolean])[] = [
  ['/', 'Overview', false],
  ['/tokens', 'Tokens', false],
  ['/audit', 'Audit', false],
  ['/signing-keys', 'Signing keys', false],
  ['/admin-keys', 'Admin keys', true],
  ['/trust-policies', 'Trust policies', false],
];

/** Every page: language, skip link, navigation, one h1, the stylesheet and the enhancement script. */
export function Layout({ title, session, children, continueTo }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · regauth`}</title>
        {continueTo === undefined ? null : <meta http-equiv="refresh" content={`0;url=${continueTo}`} />}
        <link rel="stylesheet" href={`${UI_PREFIX}${UI_STYLESHEET.path}`} />
        <script src={`${UI_PREFIX}${UI_SCRIPT.path}`} defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header>
          <p>
            <a href={`${UI_PREFIX}/`}>regauth</a>
          </p>
          {session === null ? null : (
            <nav aria-label="Main">
              <ul>
                {NAVIGATION.filter(([, , adminOnly]) => !adminOnly || session.role === 'admin').map(([path, label]) => (
                  <li>
                    <a href={`${UI_PREFIX}${path}`}>{label}</a>
                  </li>
                ))}
                <li>
                  <form class="inline-form" method="post" action={`${UI_PREFIX}/sign-out`}>
                    <input type="hidden" name="csrf" value={session.csrfToken} />
                    <button type="submit">Sign out {session.displayName}</button>
                  </form>
                </li>
              </ul>
            </nav>
          )}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A date for people, with the machine-readable value the script turns into local time. */
export function Time({ iso }: { readonly iso: string | null }) {
  return iso === null ? <span>never</span> : <time datetime={iso}>{iso.replace('T', ' ').slice(0, 16)} UTC</time>;
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** The error summary at the top of a form, each message linking to its field. */
export function ErrorSummary({ errors }: { readonly errors: readonly FieldError[] }) {
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {errors.map((error) => (
          <li>
            <a href={`#${error.field}`}>{error.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CsrfField({ token }: { readonly token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}
