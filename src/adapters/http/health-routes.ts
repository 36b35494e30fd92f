import express, { type Router } from 'express';
import type { Readiness } from '../../app/readiness.js';
import { LIVENESS_PATH, READINESS_PATH } from './health-paths.js';

/** `/healthz`: the process answers. `/readyz`: it can also reach its store and holds a signing key. */
export function healthRoutes(readiness: () => Promise<Readiness>): Router {
  const router = express.Router();
  router.get(LIVENESS_PATH, (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get(READINESS_PATH, async (_request, response) => {
    const result = await readiness();
    response
      .set('Cache-Control', 'no-store')
      .status(result.ready ? 200 : 503)
      .json({ status: result.ready ? 'ready' : 'unavailable', checks: result.checks });
  });
  return router;
}
