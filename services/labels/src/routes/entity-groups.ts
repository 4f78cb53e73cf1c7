import { createRoute, z } from '@hono/zod-openapi';
import {
  AppError,
  PlatformSchema,
  actingUserKey,
  ok,
  type App,
  type AuthContext,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import type { LabelDeps } from '../label-deps.js';
import {
  ASSIGN_REASONS,
  GROUP_TYPES,
  assignMember,
  createRoleGroup,
  listRoleGroups,
  removeMember,
} from '../role-groups.js';
import type { LabelAccess } from './access.js';
import {
  BodyId,
  IdParam,
  IsoInstant,
  ObjectOrArray,
  assertBulkSize,
  bulkErrorMessage,
  bulkSummary,
  envelope,
  json,
  parseItem,
  requiredActor,
} from './request-parts.js';

const Text255 = z.string().trim().min(1).max(255);

const AssignItemSchema = z.object({
  entity_group_id: BodyId,
  user_id: Text255,
  platform_id: Text255,
  assigned_by: z.string().trim().max(255).optional(),
  assigned_reason: z.enum(ASSIGN_REASONS).default('manual'),
  expires_at: IsoInstant.nullable().optional(),
});

/** Platform role groups ("entity groups" in the labels API, core-and-admin §1.2). */
export function mountEntityGroupRoutes(
  app: App,
  deps: ServiceDeps<{ BULK_OPERATION_SIZE: number }>,
  ldeps: LabelDeps,
  access: LabelAccess,
) {
  const svcOrJwt = deps.auth.require('service', 'jwt');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/entitygroups',
      middleware: [svcOrJwt] as const,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                entity_id: Text255,
                platform: PlatformSchema,
                group_type: z.enum(GROUP_TYPES),
                group_id: Text255,
                group_name: Text255,
                is_auto_assign: z.boolean().default(false),
                auto_assign_rules: z
                  .array(z.object({ label_id: BodyId }))
                  .max(100)
                  .default([]),
                created_by: z.string().trim().max(255).optional(),
              }),
            },
          },
        },
      },
      responses: { 201: json(envelope(z.object({ entity_group_id: z.number() })), 'created') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      await access.assertMayManageGroups(auth);
      const id = await createRoleGroup(ldeps, {
        ...body,
        created_by: actingUserKey(c, body.created_by) ?? 'service',
      });
      return ok(c, { entity_group_id: id }, 201) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/entitygroups',
      middleware: [svcOrJwt] as const,
      request: {
        query: z.object({
          entity_id: z.string().trim().max(255).optional(),
          platform: PlatformSchema.optional(),
        }),
      },
      responses: { 200: json(envelope(z.object({ groups: z.array(z.unknown()) })), 'groups') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return ok(c, {
        groups: await listRoleGroups(ldeps, { entity_id: q.entity_id || undefined, platform: q.platform }),
      }) as never;
    },
  );

  async function assignOne(c: Context, auth: AuthContext, raw: unknown, bulk: boolean) {
    const parsed = parseItem(AssignItemSchema, raw);
    if (!parsed.ok) throw parsed.error;
    const item = parsed.value;
    return assignMember(ldeps, {
      entity_group_id: item.entity_group_id,
      user_id: item.user_id,
      platform_id: item.platform_id,
      assigned_by: requiredActor(c, item.assigned_by, 'assigned_by'),
      // A bulk call that names no reason is a bulk assignment.
      assigned_reason:
        bulk && (raw as { assigned_reason?: unknown }).assigned_reason === undefined
          ? 'bulk'
          : item.assigned_reason,
      expires_at: item.expires_at ?? null,
    });
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/entitygroups/assign',
      middleware: [svcOrJwt] as const,
      request: { body: { required: true, content: { 'application/json': { schema: ObjectOrArray } } } },
      responses: {
        201: json(envelope(z.object({ member_id: z.number() })), 'assigned'),
        200: json(
          envelope(z.object({ results: z.array(z.unknown()), summary: z.unknown() })),
          'bulk summary',
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      await access.assertMayManageGroups(auth);
      if (!Array.isArray(body))
        return ok(c, { member_id: await assignOne(c, auth, body, false) }, 201) as never;
      assertBulkSize(body, deps.config.BULK_OPERATION_SIZE);
      const results = [];
      for (const raw of body) {
        try {
          results.push({ success: true, member_id: await assignOne(c, auth, raw, true), application: raw });
        } catch (err) {
          if (!(err instanceof AppError)) {
            deps.logger.error('bulk group assign item failed', { err });
            results.push({ success: false, error: 'Internal error', application: raw });
            continue;
          }
          results.push({ success: false, error: bulkErrorMessage(err), application: raw });
        }
      }
      return ok(c, bulkSummary(results)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/entitygroups/{id}/members/{user_id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ id: IdParam, user_id: Text255 }) },
      responses: { 200: json(envelope(z.object({ removed: z.literal(true) })), 'removed') },
    }),
    async (c) => {
      const { id, user_id } = c.req.valid('param');
      const auth = c.get('auth');
      await access.assertMayManageGroups(auth);
      await removeMember(ldeps, id, user_id, actingUserKey(c) ?? 'service');
      return ok(c, { removed: true as const }) as never;
    },
  );
}
