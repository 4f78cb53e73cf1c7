import {
  OutboundMessageSchema,
  RouterEventBatchSchema,
  RouterEventSchema,
  RouterResultSchema,
  type App,
} from '@waddlebot/core';
import type { z } from 'zod';
import { CommandPatchSchema, CommandWriteSchema } from '../command-admin.js';
import { RuleCreateSchema, RuleUpdateSchema } from '../string-rule-store.js';
import { AccountSchema, EnablementBody, RoleBody } from './admin.js';
import { AsyncResponseBody } from './responses.js';

type Method = 'get' | 'post' | 'put' | 'delete';

/** `['POST /router/events', summary, body?, response?]`; `{name}` marks a path parameter. */
type RouteDoc = [`${Uppercase<Method>} /${string}`, string, z.ZodType?, z.ZodType?];

/** The router's REST and protocol paths, so `/openapi.json` describes them (handlers are plain Hono). */
const ROUTES: RouteDoc[] = [
  ['POST /router/events', 'Process one RouterEvent', RouterEventSchema, RouterResultSchema],
  ['POST /router/events/batch', 'Process up to 100 events', RouterEventBatchSchema],
  ['POST /router/responses', 'Async module response', AsyncResponseBody],
  ['GET /router/responses/recent', 'Recent module responses'],
  ['GET /router/responses/{execution_id}', 'Responses of one execution'],
  ['POST /router/messages/outbound', 'Message not caused by an event', OutboundMessageSchema],
  ['GET /router/commands', 'Registered commands'],
  ['GET /router/entities', 'Active entities'],
  ['GET /router/metrics', 'JSON metrics'],
  ['GET /router/string-rules', 'List string rules'],
  ['POST /router/string-rules', 'Create a string rule', RuleCreateSchema],
  ['PUT /router/string-rules/{id}', 'Update a string rule', RuleUpdateSchema],
  ['DELETE /router/string-rules/{id}', 'Deactivate a string rule'],
  ['POST /router/admin/service-accounts', 'Create an external API key (shown once)', AccountSchema],
  ['GET /router/admin/service-accounts', 'List service accounts'],
  ['POST /router/admin/service-accounts/{id}/regenerate', 'New key for an account'],
  ['POST /router/admin/service-accounts/{id}/revoke', 'Revoke an account'],
  ['GET /router/admin/api-usage', 'API usage summary'],
  ['GET /router/admin/commands', 'All registry rows'],
  ['POST /router/admin/commands', 'Upsert a registry row (service seeding)', CommandWriteSchema],
  ['PUT /router/admin/commands/{id}', 'Update a registry row', CommandPatchSchema],
  ['DELETE /router/admin/commands/{id}', 'Deactivate a registry row'],
  ['PUT /router/admin/commands/{id}/entities/{entity_id}', 'Per-entity enablement', EnablementBody],
  ['PUT /router/admin/roles', 'Assign a role (entity or community)', RoleBody],
  ['GET /router/admin/users/{user_id}/permissions', 'Effective role and permissions'],
  ['POST /router/admin/cache/clear', 'Clear caches on every replica'],
  ['POST /router/admin/rate-limits/reset', "Reset a user's rate-limit windows"],
  ['POST /router/coordination/claim', 'Claim entities for a container'],
  ['POST /router/coordination/release', 'Release claims'],
  ['POST /router/coordination/checkin', 'Extend claims'],
  ['POST /router/coordination/heartbeat', 'Heartbeat'],
  ['POST /router/coordination/status', 'Live status of an entity'],
  ['POST /router/coordination/error', 'Report an entity error'],
  ['POST /router/coordination/release-offline', 'Swap offline entities'],
  ['POST /router/coordination/populate', "Copy a receiver's monitored channels"],
  ['GET /router/coordination/stats', 'Coordination statistics'],
  ['GET /router/coordination/entities', 'Coordination rows'],
];

export function documentRoutes(app: App) {
  for (const [route, summary, body, response] of ROUTES) {
    const [method, path] = route.split(' ') as [Uppercase<Method>, string];
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path' as const,
      required: true,
      schema: { type: 'string' as const },
    }));
    app.openAPIRegistry.registerPath({
      method: method.toLowerCase() as Method,
      path,
      summary,
      security: [{ serviceKey: [] }, { apiKey: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { request: { body: { content: { 'application/json': { schema: body } } } } } : {}),
      responses: {
        200: {
          description: 'OK',
          ...(response ? { content: { 'application/json': { schema: response } } } : {}),
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
