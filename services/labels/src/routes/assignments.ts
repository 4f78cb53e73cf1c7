import { createRoute, z } from '@hono/zod-openapi';
import {
  AppError,
  ValidationError,
  actingUserKey,
  ok,
  type App,
  type AuthContext,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import { EntityTypeSchema, labelLimitOf } from '../entity-types.js';
import {
  applyLabel,
  applyLabels,
  entityLabels,
  removeLabel,
  searchEntities,
  type Application,
} from '../label-assignments.js';
import type { LabelDeps } from '../label-deps.js';
import { autoAssignForLabel } from '../role-groups.js';
import type { LabelAccess } from './access.js';
import {
  BodyId,
  CommunityScope,
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

const EntityId = z.string().trim().min(1).max(255);

const ApplyItemSchema = z.object({
  entity_id: EntityId,
  entity_type: EntityTypeSchema,
  label_id: BodyId,
  applied_by: z.string().trim().max(255).optional(),
  community_id: CommunityScope.nullable().optional(),
  expires_at: IsoInstant.nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

const SEARCH_DEFAULT_LIMIT = 100;
const SEARCH_MAX_LIMIT = 1000;

/** Label assignment routes of core-and-admin §1.2. */
export function mountAssignmentRoutes(
  app: App,
  deps: ServiceDeps<{ BULK_OPERATION_SIZE: number }>,
  ldeps: LabelDeps,
  access: LabelAccess,
) {
  const svcOrJwt = deps.auth.require('service', 'jwt');

  /** Validates and authorises one item; throws the typed error of its failure. */
  async function admit(c: Context, auth: AuthContext, raw: unknown): Promise<Application> {
    const parsed = parseItem(ApplyItemSchema, raw);
    if (!parsed.ok) throw parsed.error;
    const item = parsed.value;
    const application: Application = {
      entity_id: item.entity_id,
      entity_type: item.entity_type,
      label_id: item.label_id,
      applied_by: requiredActor(c, item.applied_by, 'applied_by'),
      community_id: item.community_id ?? null,
      expires_at: item.expires_at ?? null,
      metadata: item.metadata,
    };
    await access.assertMayAssign(auth, application.community_id);
    return application;
  }

  function afterApply(application: Application) {
    if (application.entity_type !== 'user') return;
    ldeps.background(async () => {
      await autoAssignForLabel(ldeps, application.entity_id, application.label_id);
    });
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/labels/apply',
      middleware: [svcOrJwt] as const,
      request: { body: { required: true, content: { 'application/json': { schema: ObjectOrArray } } } },
      responses: {
        201: json(envelope(z.object({ entity_label_id: z.number() })), 'applied'),
        200: json(
          envelope(z.object({ results: z.array(z.unknown()), summary: z.unknown() })),
          'bulk summary',
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      if (!Array.isArray(body)) {
        const application = await admit(c, auth, body);
        const id = await applyLabel(ldeps, application);
        afterApply(application);
        return ok(c, { entity_label_id: id }, 201) as never;
      }
      assertBulkSize(body, deps.config.BULK_OPERATION_SIZE);
      // Items in order; one failure does not stop the others (§1.3).
      const results: { success: boolean; entity_label_id?: number; error?: string; application: unknown }[] =
        [];
      const admitted: { application: Application; index: number }[] = [];
      for (const raw of body) {
        try {
          admitted.push({ application: await admit(c, auth, raw), index: results.length });
          results.push({ success: false, application: raw });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results.push({ success: false, error: bulkErrorMessage(err), application: raw });
        }
      }
      const outcomes = await applyLabels(
        ldeps,
        admitted.map((a) => a.application),
      );
      outcomes.forEach((outcome, n) => {
        const { application, index } = admitted[n]!;
        if (outcome.ok) {
          results[index] = { success: true, entity_label_id: outcome.id, application: body[index] };
          afterApply(application);
        } else
          results[index] = {
            success: false,
            error: bulkErrorMessage(outcome.error),
            application: body[index],
          };
      });
      return ok(c, bulkSummary(results)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/labels/remove',
      middleware: [svcOrJwt] as const,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                entity_id: EntityId,
                entity_type: EntityTypeSchema,
                label_id: BodyId,
                community_id: CommunityScope.nullable().optional(),
              }),
            },
          },
        },
      },
      responses: { 200: json(envelope(z.object({ removed: z.literal(true) })), 'removed') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      const target = { ...body, community_id: body.community_id ?? null };
      await access.assertMayAssign(auth, target.community_id);
      await removeLabel(ldeps, target, actingUserKey(c) ?? 'service');
      return ok(c, { removed: true as const }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/entity/{entity_type}/{entity_id}/labels',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ entity_type: EntityTypeSchema, entity_id: EntityId }),
        query: z.object({ community_id: CommunityScope.optional() }),
      },
      responses: {
        200: json(
          envelope(
            z.object({
              entity_id: z.string(),
              entity_type: z.string(),
              labels: z.array(z.unknown()),
              total: z.number(),
              limit: z.number(),
            }),
          ),
          "the entity's active labels",
        ),
      },
    }),
    async (c) => {
      const { entity_type, entity_id } = c.req.valid('param');
      const { community_id } = c.req.valid('query');
      const scope = await access.readScope(c.get('auth'), community_id);
      const labels = await entityLabels(ldeps, entity_type, entity_id, scope);
      return ok(c, {
        entity_id,
        entity_type,
        labels,
        total: labels.length,
        limit: labelLimitOf(entity_type),
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/labels/search',
      middleware: [svcOrJwt] as const,
      request: {
        query: z.object({
          entity_type: EntityTypeSchema,
          labels: z.string().max(5000),
          community_id: CommunityScope.optional(),
          limit: z
            .string()
            .regex(/^\d{1,9}$/, 'must be a positive integer')
            .transform(Number)
            .pipe(z.number().int().min(1))
            .optional(),
        }),
      },
      responses: {
        200: json(
          envelope(
            z.object({
              entity_type: z.string(),
              searched_labels: z.array(z.string()),
              results: z.array(z.unknown()),
              total: z.number(),
            }),
          ),
          'entities holding every named label',
        ),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const names = [
        ...new Set(
          q.labels
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean),
        ),
      ];
      if (names.length === 0)
        throw new ValidationError('Validation failed', [
          { path: 'labels', message: 'at least one label name' },
        ]);
      if (names.some((n) => n.length > 100))
        throw new ValidationError('Validation failed', [
          { path: 'labels', message: 'names are at most 100 characters' },
        ]);
      const results = await searchEntities(ldeps, {
        entityType: q.entity_type,
        names,
        communityId: await access.readScope(c.get('auth'), q.community_id),
        limit: Math.min(q.limit ?? SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT),
      });
      return ok(c, {
        entity_type: q.entity_type,
        searched_labels: names,
        results,
        total: results.length,
      }) as never;
    },
  );
}
