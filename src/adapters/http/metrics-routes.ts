import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { ADMIN_API_PREFIX_PATH } from './admin-api/admin-api-paths.js';
import { HEALTH_PATHS } from './health-paths.js';

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface RoutePaths {
  readonly tokenPath: string;
  readonly metricsPath: string;
}

/**
 * The route label of a request path, from a fixed set: a label per raw path would let any client create
 * series without bound. Paths are compared as express routes them: ignoring case and a trailing slash.
 */
export function routeLabel(path: string, paths: RoutePaths): string {
  const normalized = normalize(path);
  if (normalized === normalize(paths.tokenPath)) return 'token';
  if (normalized === normalize(paths.metricsPath)) return 'metrics';
  if (HEALTH_PATHS.includes(normalized)) return 'health';
  const admin = normalize(ADMIN_API_PREFIX_PATH);
  if (normalized === admin || normalized.startsWith(`${admin}/`)) return 'admin_api';
  return 'other';
}

function normalize(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

/** Times every request into the duration histogram once its response has been sent. */
export function requestMetrics(metrics: PrometheusMetrics, paths: RoutePaths) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    // Read now: routers mounted under a prefix rewrite request.url while they run.
    const route = routeLabel(request.path, paths);
    const method = METHODS.has(request.method) ? request.method : 'other';
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeHttpRequest({ method, route, status: response.statusCode, seconds });
    });
    next();
  };
}

/** `GET <path>`: the Prometheus text format. */
export function metricsRoutes(metrics: PrometheusMetrics, path: string): Router {
  const router = express.Router();
  router.get(path, async (_request, response) => {
    const text = await metrics.text();
    response.set({ 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }).send(text);
  });
  return router;
}
