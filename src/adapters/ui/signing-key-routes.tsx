import express, { type Router } from 'express';
import type { Logger } from '../../app/ports.js';
import type { SigningKeyRotation } from '../../app/signing-key-rotation.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import type { SigningKeyFolder } from '../keys/signing-key-rotation.js';
import type { KeySummary } from './signing-key-summary.js';
import { field, requireAdmin, requireSameOriginForm, sessionOf } from './ui-context.js';
import { CsrfField, ErrorSummary, Layout, Time, UI_PREFIX, type FieldError } from './layout.js';
import { sendPage } from './render-page.js';

const DEFAULT_ACTIVATE_IN = '1h';

/** The signing keys: their schedule, the registry's bundle and JWKS file to download, and rotation (admins). */
export function signingKeyRoutes(keys: () => KeySummary[], folder: SigningKeyFolder, rotation: SigningKeyRotation, logger: Logger): Router {
  const router = express.Router();
  const show = (response: express.Response, errors: FieldError[], notice: string | null, status = 200) => {
    const session = sessionOf(response);
    sendPage(
      response,
      <Layout title="Signing keys" session={session}>
        <ErrorSummary errors={errors} />
        {notice === null ? null : <p role="status">{notice}</p>}
        <table>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Key id (libtrust)</th>
              <th scope="col">Thumbprint (RFC 7638)</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Signs from</th>
              <th scope="col">Certificate expires</th>
            </tr>
          </thead>
          <tbody>
            {keys().map((key) => (
              <tr>
                <td>{key.status}</td>
                <td>
                  <code>{key.keyId}</code>
                </td>
                <td>
                  <code>{key.thumbprint}</code>
                </td>
                <td>{key.algorithm}</td>
                <td>
                  <Time iso={key.activatesAt} />
                </td>
                <td>
                  <Time iso={key.certificateExpiresAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <a href={`${UI_PREFIX}/signing-keys/registry-rootcertbundle.pem`}>Download the registry's certificate bundle</a> ·{' '}
          <a href={`${UI_PREFIX}/signing-keys/registry-jwks.json`}>Download the JWKS file (registry 3)</a>
        </p>
        {session.role !== 'admin' ? null : (
          <form method="post" action={`${UI_PREFIX}/signing-keys/rotate`}>
            <h2>Rotate</h2>
            <CsrfField token={session.csrfToken} />
            <label for="activateIn">Starts signing in</label>
            <p id="activateIn-hint">Time to give every registry the new bundle or JWKS file and restart it: 0, 15m, 1h, 2d.</p>
            <input id="activateIn" name="activateIn" value={DEFAULT_ACTIVATE_IN} aria-describedby="activateIn-hint" />
            <div>
              <button type="submit">Add the next signing key</button>
            </div>
          </form>
        )}
      </Layout>,
      { status },
    );
  };

  router.get('/signing-keys', (_request, response) => show(response, [], null));
  router.get('/signing-keys/registry-rootcertbundle.pem', async (_request, response) => {
    response.set('Content-Disposition', 'attachment; filename="registry-rootcertbundle.pem"');
    response.type('application/x-pem-file').send(await folder.bundle());
  });
  router.get('/signing-keys/registry-jwks.json', async (_request, response) => {
    response.set('Content-Disposition', 'attachment; filename="registry-jwks.json"');
    response.type('application/json').send(await folder.jwks());
  });
  router.post('/signing-keys/rotate', requireAdmin, requireSameOriginForm, async (request, response) => {
    const delayMs = parseDuration(field(request, 'activateIn').trim());
    if (delayMs === null) {
      show(response, [{ field: 'activateIn', message: 'Enter a duration such as 0, 15m, 1h or 2d' }], null, 400);
      return;
    }
    const actor = sessionOf(response).actor;
    const key = await rotation.rotate(delayMs, { actor, clientIp: request.ip ?? null });
    logger.info('signing key added from the web UI', { keyId: key.keyId, activatesAt: key.activatesAt.toISOString(), by: actor });
    show(response, [], `Added ${key.keyId}: it signs in ${formatDuration(delayMs)}. Give the registries the new bundle or JWKS file before then.`);
  });
  return router;
}
