import type { z } from 'zod';
import type { App } from '../http/app.js';

/** A route whose handler reads its own body (signed webhooks, OAuth redirects, `/send`). */
export interface PlainRouteDoc {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  /** Internal routes take `X-Service-Key`; webhooks are authenticated by the platform signature. */
  serviceKey?: boolean;
  /** Headers the route requires (signature, timestamp). */
  headers?: string[];
  body?: { contentType: string; schema?: z.ZodType };
}

/**
 * Adds plain Hono routes to `/openapi.json`: their handlers verify raw bytes before parsing, so
 * they cannot be declared through `createRoute` validation.
 */
export function documentPlainRoutes(app: App, routes: PlainRouteDoc[]): void {
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path' as const,
      required: true,
      schema: { type: 'string' as const },
    }));
    const headerParams = (route.headers ?? []).map((name) => ({
      name,
      in: 'header' as const,
      required: true,
      schema: { type: 'string' as const },
    }));
    const parameters = [...pathParams, ...headerParams];
    app.openAPIRegistry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      ...(route.serviceKey ? { security: [{ serviceKey: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            request: {
              body: {
                required: true,
                content: { [route.body.contentType]: { schema: route.body.schema ?? { type: 'object' } } },
              },
            },
          }
        : {}),
      responses: { 200: { description: 'OK' }, 400: { description: 'VALIDATION_ERROR envelope' } },
    });
  }
  if (routes.some((r) => r.serviceKey))
    app.openAPIRegistry.registerComponent('securitySchemes', 'serviceKey', {
      type: 'apiKey',
      in: 'header',
      name: 'X-Service-Key',
    });
}
