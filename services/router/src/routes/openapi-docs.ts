import {
  AsyncModuleResponseSchema,
  OutboundMessageSchema,
  RouterEventBatchSchema,
  RouterEventSchema,
  RouterResultSchema,
  type App,
} from '@waddlebot/core';
import type { z } from 'zod';
import { CommandWriteSchema } from '../command-admin.js';
import { RuleCreateSchema } from '../string-rule-store.js';

interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  response?: z.ZodType;
}

/** The router's REST and protocol paths, so `/openapi.json` describes them (handlers are plain Hono). */
const ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/router/events',
    summary: 'Process one RouterEvent',
    body: RouterEventSchema,
    response: RouterResultSchema,
  },
  {
    method: 'post',
    path: '/router/events/batch',
    summary: 'Process up to 100 events',
    body: RouterEventBatchSchema,
  },
  {
    method: 'post',
    path: '/router/responses',
    summary: 'Async module response',
    body: AsyncModuleResponseSchema,
  },
  { method: 'get', path: '/router/responses/recent', summary: 'Recent module responses' },
  { method: 'get', path: '/router/responses/{execution_id}', summary: 'Responses of one execution' },
  {
    method: 'post',
    path: '/router/messages/outbound',
    summary: 'Message not caused by an event',
    body: OutboundMessageSchema,
  },
  { method: 'get', path: '/router/commands', summary: 'Registered commands' },
  { method: 'get', path: '/router/entities', summary: 'Active entities' },
  { method: 'get', path: '/router/metrics', summary: 'JSON metrics' },
  { method: 'get', path: '/router/string-rules', summary: 'List string rules' },
  { method: 'post', path: '/router/string-rules', summary: 'Create a string rule', body: RuleCreateSchema },
  { method: 'put', path: '/router/string-rules/{id}', summary: 'Update a string rule' },
  { method: 'delete', path: '/router/string-rules/{id}', summary: 'Deactivate a string rule' },
  {
    method: 'post',
    path: '/router/admin/service-accounts',
    summary: 'Create an external API key (shown once)',
  },
  { method: 'get', path: '/router/admin/service-accounts', summary: 'List service accounts' },
  {
    method: 'post',
    path: '/router/admin/service-accounts/{id}/regenerate',
    summary: 'New key for an account',
  },
  { method: 'post', path: '/router/admin/service-accounts/{id}/revoke', summary: 'Revoke an account' },
  { method: 'get', path: '/router/admin/api-usage', summary: 'API usage summary' },
  { method: 'get', path: '/router/admin/commands', summary: 'All registry rows' },
  {
    method: 'post',
    path: '/router/admin/commands',
    summary: 'Upsert a registry row (service seeding)',
    body: CommandWriteSchema,
  },
  { method: 'put', path: '/router/admin/commands/{id}', summary: 'Update a registry row' },
  { method: 'delete', path: '/router/admin/commands/{id}', summary: 'Deactivate a registry row' },
  {
    method: 'put',
    path: '/router/admin/commands/{id}/entities/{entity_id}',
    summary: 'Per-entity enablement',
  },
  { method: 'put', path: '/router/admin/roles', summary: 'Assign a role (entity or community)' },
  {
    method: 'get',
    path: '/router/admin/users/{user_id}/permissions',
    summary: 'Effective role and permissions',
  },
  { method: 'post', path: '/router/admin/cache/clear', summary: 'Clear caches on every replica' },
  { method: 'post', path: '/router/admin/rate-limits/reset', summary: "Reset a user's rate-limit windows" },
  { method: 'post', path: '/router/coordination/claim', summary: 'Claim entities for a container' },
  { method: 'post', path: '/router/coordination/release', summary: 'Release claims' },
  { method: 'post', path: '/router/coordination/checkin', summary: 'Extend claims' },
  { method: 'post', path: '/router/coordination/heartbeat', summary: 'Heartbeat' },
  { method: 'post', path: '/router/coordination/status', summary: 'Live status of an entity' },
  { method: 'post', path: '/router/coordination/error', summary: 'Report an entity error' },
  { method: 'post', path: '/router/coordination/release-offline', summary: 'Swap offline entities' },
  { method: 'post', path: '/router/coordination/populate', summary: "Copy a receiver's monitored channels" },
  { method: 'get', path: '/router/coordination/stats', summary: 'Coordination statistics' },
  { method: 'get', path: '/router/coordination/entities', summary: 'Coordination rows' },
];

export function documentRoutes(app: App) {
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path' as const,
      required: true,
      schema: { type: 'string' as const },
    }));
    app.openAPIRegistry.registerPath({
      method: r.method,
      path: r.path,
      summary: r.summary,
      security: r.path.startsWith('/internal') ? [{ serviceKey: [] }] : [{ serviceKey: [] }, { apiKey: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { request: { body: { content: { 'application/json': { schema: r.body } } } } } : {}),
      responses: {
        200: {
          description: 'OK',
          ...(r.response ? { content: { 'application/json': { schema: r.response } } } : {}),
        },
        400: { description: 'VALIDATION_ERROR envelope' },
        401: { description: 'AUTH_REQUIRED / INVALID_API_KEY envelope' },
        403: { description: 'FORBIDDEN envelope' },
      },
    });
  }
  app.openAPIRegistry.registerComponent('securitySchemes', 'serviceKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Service-Key',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
  });
}
