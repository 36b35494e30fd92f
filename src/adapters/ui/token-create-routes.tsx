import express, { type Request, type Response, type Router } from 'express';
import { secretNameFor } from '../../app/credential-formats.js';
import type { CreatedDeployToken, DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { PatternTestResult } from '../../app/pattern-test.js';
import type { OpaqueTokens } from '../../app/ports.js';
import type { UiSessions } from '../../app/ui-sessions.js';
import { RegauthError } from '../../core/regauth-error.js';
import { credentialTabs } from './credential-tabs.js';
import { readCookie, SESSION_COOKIE } from './ui-cookies.js';
import { field, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';

const EXPIRY_PRESETS: readonly (readonly [value: string, label: string])[] = [
  ['30d', '30 days'],
  ['90d', '90 days'],
  ['365d', '1 year'],
  ['date', 'On a date'],
  ['never', 'Never (not recommended)'],
];

interface CreateForm {
  readonly name: string;
  readonly repositories: string;
  readonly scopes: readonly string[];
  readonly expiry: string;
  readonly expiryDate: string;
  readonly tokenLifetime: string;
  /** Example repository names for the pattern tester, one a line (or separated by spaces or commas). */
  readonly tryRepositories: string;
}

function formOf(request: Request): CreateForm {
  const scopes = ((request.body ?? {}) as Record<string, unknown>).scopes;
  return {
    name: field(request, 'name'),
    repositories: field(request, 'repositories'),
    scopes: Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : typeof scopes === 'string' ? [scopes] : [],
    expiry: field(request, 'expiry') || '90d',
    expiryDate: field(request, 'expiryDate'),
    tokenLifetime: field(request, 'tokenLifetime'),
    tryRepositories: field(request, 'tryRepositories'),
  };
}

const EMPTY: CreateForm = { name: '', repositories: '', scopes: ['read_registry'], expiry: '90d', expiryDate: '', tokenLifetime: '', tryRepositories: '' };
const linesOf = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

/** What the pattern tester found: the coverage, or why it could not test. */
type Tested = { readonly result: PatternTestResult } | { readonly problem: string } | null;

const namesOf = (text: string) => text.split(/[\s,]+/).filter((name) => name !== '');

/** Runs the tester of the create form; nothing is created. */
async function testPatterns(admin: DeployTokenAdmin, form: CreateForm): Promise<Tested> {
  try {
    return { result: await admin.testPatterns({ patterns: linesOf(form.repositories), repositories: namesOf(form.tryRepositories) }) };
  } catch (error) {
    if (error instanceof RegauthError) return { problem: error.message };
    throw error;
  }
}

function PatternTestResults({ tested }: { readonly tested: Tested }) {
  if (tested === null) return null;
  if ('problem' in tested) {
    return (
      <div id="pattern-test" role="status">
        <p class="warning">Could not test: {tested.problem}</p>
      </div>
    );
  }
  return (
    <div id="pattern-test" role="status">
      <p>
        <strong>The patterns {tested.result.summary.replace(/^covers/, 'cover')}.</strong>
      </p>
      <ul>
        {tested.result.items.map((item) => (
          <li>
            <code>{item.repository}</code>: {item.pattern === null ? 'not covered' : <>covered by <code>{item.pattern}</code></>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function CreatePage(props: { form: CreateForm; errors: readonly FieldError[]; csrf: string; formKey: string; tested: Tested; session: ReturnType<typeof sessionOf> }) {
  const { form } = props;
  const risky = linesOf(form.repositories).includes('*') || form.expiry === 'never';
  return (
    <Layout title="Create a deploy token" session={props.session}>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`${UI_PREFIX}/tokens/new`}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="formKey" value={props.formKey} />
        <label for="name">Name</label>
        <input id="name" name="name" value={form.name} required maxlength={255} />
        <label for="repositories">Repositories, one pattern a line</label>
        <p id="repositories-hint">team/app is that repository; team/** everything under team/; * every repository.</p>
        <textarea id="repositories" name="repositories" rows={3} aria-describedby="repositories-hint">
          {form.repositories}
        </textarea>
        <label for="tryRepositories">Repository names to test the patterns on, one a line</label>
        <p id="tryRepositories-hint">Nothing is created: the form comes back with which of them the patterns cover.</p>
        <textarea id="tryRepositories" name="tryRepositories" rows={3} aria-describedby="tryRepositories-hint" placeholder="team/app/cache">
          {form.tryRepositories}
        </textarea>
        <button type="submit" name="action" value="test" formnovalidate>
          Test patterns
        </button>
        <PatternTestResults tested={props.tested} />
        <fieldset>
          <legend>What it lets a client do</legend>
          <label>
            <input type="checkbox" name="scopes" value="read_registry" checked={form.scopes.includes('read_registry')} /> Pull images
          </label>
          <label>
            <input type="checkbox" name="scopes" value="write_registry" checked={form.scopes.includes('write_registry')} /> Push images (and pull)
          </label>
        </fieldset>
        <label for="expiry">Expires</label>
        <select id="expiry" name="expiry">
          {EXPIRY_PRESETS.map(([value, label]) => (
            <option value={value} selected={value === form.expiry}>
              {label}
            </option>
          ))}
        </select>
        <label for="expiryDate">Date (when "On a date")</label>
        <input id="expiryDate" name="expiryDate" type="date" value={form.expiryDate} />
        <label for="tokenLifetime">Registry-token lifetime (optional, e.g. 15m)</label>
        <input id="tokenLifetime" name="tokenLifetime" value={form.tokenLifetime} />
        {risky ? <p class="warning">A token for every repository (*) or one that never expires is a standing risk if it leaks.</p> : null}
        <div>
          <button type="submit" name="action" value="create">
            Create token
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function SecretPage(props: { created: CreatedDeployToken; session: ReturnType<typeof sessionOf>; rotated?: boolean }) {
  const { created, session } = props;
  return (
    <Layout title={`Deploy token ${created.token.name} ${props.rotated === true ? 'has a new secret' : 'created'}`} session={session}>
      <p class="warning">This is the only time the secret is shown: copy it or download a file now.</p>
      <p>
        Username <code>{created.token.username}</code>
      </p>
      {credentialTabs(created.credentials, secretNameFor(created.token.name)).map((tab) => (
        <section aria-labelledby={`${tab.id}-title`}>
          <h2 id={`${tab.id}-title`}>{tab.label}</h2>
          <pre id={tab.id}>{tab.text}</pre>
          <button type="button" data-copy={tab.id} hidden>
            Copy {tab.label}
          </button>{' '}
          <a download={tab.fileName} href={`data:text/plain;charset=utf-8,${encodeURIComponent(tab.text)}`}>
            Download {tab.fileName}
          </a>
        </section>
      ))}
      <p>
        <a href={`${UI_PREFIX}/tokens/${created.token.id}`}>Go to the token</a>
      </p>
    </Layout>
  );
}

function expiryOf(form: CreateForm): string | undefined {
  if (form.expiry === 'never') return undefined;
  return form.expiry === 'date' ? form.expiryDate : form.expiry;
}

/** Creating a token: the form, its pattern tester, and the shown-once secret; one token per form however often it is sent. */
export function tokenCreateRoutes(admin: DeployTokenAdmin, sessions: UiSessions, tokens: OpaqueTokens): Router {
  const router = express.Router();
  const show = (response: Response, form: CreateForm, errors: FieldError[], tested: Tested = null, status = 200) =>
    sendPage(
      response,
      <CreatePage form={form} errors={errors} tested={tested} csrf={sessionOf(response).csrfToken} formKey={tokens.generate('')} session={sessionOf(response)} />,
      { status },
    );

  router.get('/tokens/new', requireAdmin, (_request, response) => show(response, EMPTY, []));

  router.post('/tokens/new', requireAdmin, requireSameOriginForm, async (request, response) => {
    const form = formOf(request);
    if (field(request, 'action') === 'test') {
      show(response, form, [], await testPatterns(admin, form));
      return;
    }
    const errors: FieldError[] = [];
    if (form.name.trim() === '') errors.push({ field: 'name', message: 'Enter a name' });
    if (linesOf(form.repositories).length === 0) errors.push({ field: 'repositories', message: 'Enter at least one repository pattern' });
    if (form.scopes.length === 0) errors.push({ field: 'scopes', message: 'Choose pull, push or both' });
    if (form.expiry === 'date' && form.expiryDate === '') errors.push({ field: 'expiryDate', message: 'Enter the expiry date' });
    if (errors.length > 0) {
      show(response, form, errors, null, 400);
      return;
    }
    const session = sessionOf(response);
    let created: CreatedDeployToken | null = null;
    try {
      const outcome = await sessions.once(readCookie(request, SESSION_COOKIE) as string, field(request, 'formKey').slice(0, 100) || 'missing', async () => {
        const expires = expiryOf(form);
        created = await admin.create(
          {
            name: form.name,
            repositories: linesOf(form.repositories),
            scopes: form.scopes,
            ...(expires === undefined ? {} : { expires }),
            ...(form.tokenLifetime.trim() === '' ? {} : { tokenLifetime: form.tokenLifetime.trim() }),
          },
          { actor: session.actor, clientIp: request.ip ?? null },
        );
        return created.token.id;
      });
      if (outcome.repeated) {
        sendPage(
          response,
          <Layout title="This form was already sent" session={session}>
            <p>The token was created by the first submission; its secret was shown then and cannot be shown again.</p>
            {outcome.tokenId === null ? null : <a href={`${UI_PREFIX}/tokens/${outcome.tokenId}`}>Go to the token</a>}
          </Layout>,
          { status: 409 },
        );
        return;
      }
    } catch (error) {
      if (error instanceof RegauthError && error.code !== 'unavailable' && error.code !== 'overloaded') {
        show(response, form, [{ field: 'name', message: error.message }], null, 400);
        return;
      }
      throw error;
    }
    sendPage(response, <SecretPage created={created as unknown as CreatedDeployToken} session={session} />, { secret: true });
  });
  return router;
}
