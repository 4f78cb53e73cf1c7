import { createRoute, z } from '@hono/zod-openapi';
import { ForbiddenError, actingUser, hasRole, ok, type App, type ServiceDeps } from '@waddlebot/core';
import type { Context } from 'hono';
import {
  aliasView,
  createAlias,
  findAlias,
  listAliases,
  removeAlias,
  updateAlias,
  useAlias,
  type AliasDeps,
} from '../aliases.js';

const CommunityId = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(Number(v)));

const AliasViewSchema = z.object({
  alias: z.string(),
  alias_type: z.enum(['text', 'command']),
  template: z.string(),
  created_by: z.string().nullable(),
  created_by_name: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  usage_count: z.number(),
  last_used: z.string().nullable(),
});
const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const TemplateSchema = z.string().min(1).max(400);

/** REST writes on behalf of a named user need moderator+; a bare service call acts as the system. */
function assertMayManage(c: Context) {
  const named =
    c.req.header('X-WaddleBot-User-Id') !== undefined || c.req.header('X-WaddleBot-User-Role') !== undefined;
  if (named && !hasRole(actingUser(c).role, 'moderator'))
    throw new ForbiddenError("You don't have permission to manage aliases");
}

export function mountAliasRestRoutes(app: App, deps: ServiceDeps, aliasDeps: AliasDeps) {
  const { logger } = deps;
  const requireService = deps.auth.require('service');

  // Registered before `/{community_id}` routes, which would otherwise claim the `resolve` segment.
  const ResolveBody = z.object({
    community_id: z
      .union([z.number().int().positive(), z.string().regex(/^\d{1,18}$/)])
      .transform((v) => String(Number(v))),
    alias: z.string().min(1).max(33),
    args: z.array(z.string().max(500)).max(50).default([]),
    user: z.object({
      name: z.string().min(1).max(256),
      id: z.string().max(256).nullish(),
      display_name: z.string().nullish(),
    }),
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/aliases/resolve',
      middleware: [requireService] as const,
      request: { body: { content: { 'application/json': { schema: ResolveBody } } } },
      responses: {
        200: json(
          envelope(
            z.object({
              found: z.boolean(),
              alias_type: z.enum(['text', 'command']).optional(),
              expanded: z.string().optional(),
            }),
          ),
          'lookup result',
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const row = await findAlias(aliasDeps, body.community_id, body.alias);
      const used = row
        ? await useAlias(aliasDeps, row, { id: body.user.id ?? null, name: body.user.name }, body.args)
        : undefined;
      if (!used) return ok(c, { found: false }) as never;
      return ok(c, { found: true, alias_type: used.row.alias_type, expanded: used.expanded }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/aliases/{community_id}',
      middleware: [requireService] as const,
      request: { params: z.object({ community_id: CommunityId }) },
      responses: {
        200: json(
          envelope(z.object({ aliases: z.array(AliasViewSchema), total: z.number() })),
          'active aliases',
        ),
      },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const rows = await listAliases(aliasDeps, community_id);
      return ok(c, { aliases: rows.map(aliasView), total: rows.length }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/aliases/{community_id}',
      middleware: [requireService] as const,
      request: {
        params: z.object({ community_id: CommunityId }),
        body: {
          content: {
            'application/json': {
              schema: z.object({ alias: z.string().min(1).max(33), template: TemplateSchema }),
            },
          },
        },
      },
      responses: { 201: json(envelope(AliasViewSchema), 'created') },
    }),
    async (c) => {
      assertMayManage(c);
      const { community_id } = c.req.valid('param');
      const body = c.req.valid('json');
      const user = actingUser(c);
      const row = await createAlias(aliasDeps, {
        communityId: community_id,
        alias: body.alias,
        template: body.template,
        createdBy: user.id,
        createdByName: user.name,
      });
      logger.audit({
        action: 'alias_create',
        community: community_id,
        user: user.id,
        result: 'SUCCESS',
        alias: row.alias,
      });
      return ok(c, aliasView(row), 201) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/aliases/{community_id}/{alias}',
      middleware: [requireService] as const,
      request: {
        params: z.object({ community_id: CommunityId, alias: z.string().min(1).max(33) }),
        body: { content: { 'application/json': { schema: z.object({ template: TemplateSchema }) } } },
      },
      responses: { 200: json(envelope(AliasViewSchema), 'updated') },
    }),
    async (c) => {
      assertMayManage(c);
      const { community_id, alias } = c.req.valid('param');
      const row = await updateAlias(aliasDeps, community_id, alias, c.req.valid('json').template);
      logger.audit({
        action: 'alias_update',
        community: community_id,
        user: actingUser(c).id,
        result: 'SUCCESS',
        alias: row.alias,
      });
      return ok(c, aliasView(row)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/aliases/{community_id}/{alias}',
      middleware: [requireService] as const,
      request: { params: z.object({ community_id: CommunityId, alias: z.string().min(1).max(33) }) },
      responses: { 204: { description: 'removed' } },
    }),
    async (c) => {
      assertMayManage(c);
      const { community_id, alias } = c.req.valid('param');
      const row = await removeAlias(aliasDeps, community_id, alias);
      logger.audit({
        action: 'alias_remove',
        community: community_id,
        user: actingUser(c).id,
        result: 'SUCCESS',
        alias: row.alias,
      });
      return c.body(null, 204) as never;
    },
  );
}
