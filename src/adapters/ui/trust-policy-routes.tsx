import express, { type Router } from 'express';
import { sessionOf } from './ui-context.js';
import { Layout } from './layout.js';
import { sendPage } from './render-page.js';

/** Where trust policies (keyless access from CI and clusters) will be managed. */
export function trustPolicyRoutes(): Router {
  const router = express.Router();
  router.get('/trust-policies', (_request, response) => {
    sendPage(
      response,
      <Layout title="Trust policies" session={sessionOf(response)}>
        <p>Coming with keyless access: CI jobs and clusters will get registry access from their own identity tokens, with no deploy token to hand out.</p>
      </Layout>,
    );
  });
  return router;
}
