import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError, type z } from 'zod';
import type { Logger } from '../log/index.js';
import type { AuthContext } from '../auth/types.js';
import { errorBody } from './envelope.js';
import { AppError, PayloadTooLargeError, ValidationError, isDependencyDown, zodDetails } from './errors.js';
import type { ServiceMetrics } from './metrics.js';
import { runWithRequestId } from './request-context.js';

export type AppEnv = {
  Variables: {
    requestId: string;
    auth: AuthContext;
  };
};

export type App = OpenAPIHono<AppEnv>;

export type CheckStatus = 'ok' | 'degraded' | 'not_configured' | 'error';

export interface ReadinessCheck {
  name: string;
  /** A required check failing makes /readyz 503; an optional one only shows `degraded`. */
  required: boolean;
  /** Throws (or returns 'error') when unhealthy; may return a non-ok label such as `not_configured`. */
  run: () => Promise<CheckStatus | void>;
}

export interface NewAppOptions {
  service: string;
  version: string;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness?: ReadinessCheck[];
  healthAliases?: string[];
  bodyLimitBytes?: number;
  allowedOrigins?: string;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * The one Hono app factory: request id, CORS, body limit, metrics, the error envelope, health,
 * metrics and OpenAPI routes. Services add their routes to what this returns.
 */
export function newApp(opts: NewAppOptions): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError('Validation failed', zodDetails(result.error.issues));
    },
  });
  const { logger, metrics } = opts;

  app.use('*', requestIdMiddleware());
  app.use('*', metricsMiddleware(metrics));
  app.use(
    '*',
    cors({
      origin:
        opts.allowedOrigins && opts.allowedOrigins !== '*'
          ? opts.allowedOrigins.split(',').map((s) => s.trim())
          : '*',
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'X-Request-Id'],
      maxAge: 3600,
    }),
  );
  app.use('*', limitBody(opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT));

  app.onError((err, c) => handleError(err, c, logger));
  app.notFound((c) => c.json(errorBody('NOT_FOUND', 'Not found', c.get('requestId')), 404));

  const healthz = (c: Context) => c.json({ status: 'ok' });
  const readyz = async (c: Context) => {
    const checks: Record<string, CheckStatus> = {};
    let healthy = true;
    await Promise.all(
      (opts.readiness ?? []).map(async (check) => {
        let status: CheckStatus;
        try {
          status = (await withTimeout(check.run(), 2000)) ?? 'ok';
        } catch {
          status = 'error';
        }
        if (status === 'error') {
          if (check.required) healthy = false;
          else status = 'degraded';
        }
        checks[check.name] = status;
      }),
    );
    return c.json({ status: healthy ? 'healthy' : 'unhealthy', checks }, healthy ? 200 : 503);
  };
  app.get('/healthz', healthz);
  app.get('/readyz', readyz);
  for (const alias of opts.healthAliases ?? []) if (alias !== '/readyz') app.get(alias, readyz);
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  app.get('/api/v1/status', (c) =>
    c.json({ success: true, data: { status: 'operational', module: opts.service, version: opts.version } }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: `WaddleBot ${opts.service}`, version: opts.version },
  });
  return app;
}

export function requestIdMiddleware(): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const incoming = c.req.header('X-Request-Id');
    const id = incoming && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await runWithRequestId(id, next);
  };
}

export function metricsMiddleware(metrics: ServiceMetrics): MiddlewareHandler<AppEnv> {
  return async function recordMetrics(c, next) {
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = c.req.routePath || 'unmatched';
      const labels = {
        method: c.req.method,
        route: route === '/*' ? 'unmatched' : route,
        status: String(c.res.status),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - start) / 1000);
    }
  };
}

/** Body limit answering the envelope's 413; routes may apply a different limit. */
export function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLargeError(maxSize);
    },
  });
}

function handleError(err: Error, c: Context<AppEnv>, logger: Logger) {
  const requestId = c.get('requestId') ?? randomUUID();
  if (err instanceof AppError) {
    if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err.status >= 500)
      logger.error('request failed', { request_id: requestId, code: err.code, route: c.req.routePath });
    return c.json(
      errorBody(err.code, err.message, requestId, err.details),
      err.status as ContentfulStatusCode,
    );
  }
  if (err instanceof ZodError) {
    return c.json(errorBody('VALIDATION_ERROR', 'Validation failed', requestId, zodDetails(err.issues)), 400);
  }
  if (err instanceof HTTPException && err.status < 500) {
    if (err.status === 413)
      return c.json(errorBody('PAYLOAD_TOO_LARGE', 'Payload too large', requestId), 413);
    if (err.status === 401)
      return c.json(errorBody('AUTH_REQUIRED', 'Authentication required', requestId), 401);
    return c.json(
      errorBody('VALIDATION_ERROR', err.status === 400 ? 'Malformed request body' : 'Bad request', requestId),
      400,
    );
  }
  if (isDependencyDown(err)) {
    logger.error('dependency unavailable', { request_id: requestId, route: c.req.routePath, err });
    c.header('Retry-After', '5');
    return c.json(errorBody('SERVICE_UNAVAILABLE', 'Service temporarily unavailable', requestId), 503);
  }
  logger.error('unhandled error', {
    request_id: requestId,
    route: c.req.routePath,
    method: c.req.method,
    err,
  });
  return c.json(errorBody('INTERNAL_ERROR', 'Internal server error', requestId), 500);
}

/** Reads and validates a JSON body; malformed JSON and schema failures are 400 VALIDATION_ERROR. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ValidationError('Malformed JSON body', [{ path: '', message: 'Malformed JSON' }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ValidationError('Validation failed', zodDetails(parsed.error.issues));
  return parsed.data;
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
