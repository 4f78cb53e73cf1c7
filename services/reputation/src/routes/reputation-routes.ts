import { createRoute, z } from '@hono/zod-openapi';
import {
  EntityIdSchema,
  GLOBAL_COMMUNITY_ID,
  ValidationError,
  actingUserKey,
  ok,
  parseEntityId,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import { GLOBAL_COMMUNITY_NAME } from '../community-lookup.js';
import { processEvent } from '../event-processing.js';
import type { ReputationDeps } from '../reputation-deps.js';
import { communityStats, leaderboard, userEvents, userScoreIn, userScores } from '../reputation-reads.js';
import { setScore } from '../score-adjustment.js';
import { CANONICAL_EVENTS, TIERS, canonicalEventName } from '../scoring-model.js';
import { revertRule, scoringRules, upsertRule } from '../scoring-rules.js';
import type { ReputationAccess } from './access.js';

const CommunityIdParam = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a positive integer community id')
  .transform(Number)
  .pipe(z.number().int().positive());
const UserKeyParam = z.string().trim().min(1).max(256);
const limitQuery = (fallback: number, cap: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().int().min(1))
    .optional()
    .transform((v) => Math.min(v ?? fallback, cap));

const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});

const ProcessSchema = z.object({
  user_id: z.union([z.string().trim().min(1).max(128), z.number().int().nonnegative()]).transform(String),
  uid: z.string().trim().max(128).nullable().optional(),
  entity_id: EntityIdSchema,
  event_name: z.string().trim().min(1).max(64),
  event_data: z.record(z.string(), z.unknown()).nullable().optional(),
  platform: z
    .string()
    .regex(/^[a-z]{2,16}$/, 'must be a platform name')
    .optional(),
});

/** Who changed something: the acting user, else the calling service itself. */
const actorOf = (c: Context): string => actingUserKey(c) || 'service';

/** The HTTP API of core-and-admin §5.3. */
export function mountReputationRoutes(
  app: App,
  deps: ServiceDeps,
  rdeps: ReputationDeps,
  access: ReputationAccess,
) {
  const svc = deps.auth.require('service');
  const svcOrJwt = deps.auth.require('service', 'jwt');
  const processed = deps.metrics.counter('reputation_events_total', 'Platform events by outcome', [
    'outcome',
  ]);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/reputation/process',
      middleware: [svc] as const,
      request: body(ProcessSchema),
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), 'applied, or not weighted') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const platform = b.platform ?? parseEntityId(b.entity_id)!.platform;
      const userKey = b.uid?.trim() || `${platform}:${b.user_id}`;
      const outcome = await processEvent(rdeps, {
        userKey,
        entityId: b.entity_id,
        eventName: b.event_name,
        eventData: b.event_data ?? {},
      });
      processed.inc({ outcome: outcome.applied ? 'applied' : outcome.reason });
      return ok(c, outcome) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reputation/user/{user_id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ user_id: UserKeyParam }),
        query: z.object({ community_id: CommunityIdParam.optional() }),
      },
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), "the user's reputation") },
    }),
    async (c) => {
      const { user_id } = c.req.valid('param');
      const { community_id } = c.req.valid('query');
      const auth = c.get('auth');
      await access.assertMayViewUser(auth, user_id, community_id);
      if (community_id !== undefined) return ok(c, await userScoreIn(rdeps, user_id, community_id)) as never;
      return ok(c, await userScores(rdeps, user_id)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reputation/leaderboard/{community_id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ community_id: CommunityIdParam }),
        query: z.object({ limit: limitQuery(10, 100) }),
      },
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), 'leaderboard') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      await access.assertMember(c.get('auth'), community_id);
      return ok(c, await leaderboard(rdeps, community_id, limit)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reputation/events/{user_id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ user_id: UserKeyParam }),
        query: z.object({ community_id: CommunityIdParam.optional(), limit: limitQuery(50, 200) }),
      },
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), 'events, newest first') },
    }),
    async (c) => {
      const { user_id } = c.req.valid('param');
      const { community_id, limit } = c.req.valid('query');
      await access.assertMayViewUser(c.get('auth'), user_id, community_id);
      return ok(c, await userEvents(rdeps, user_id, community_id, limit)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reputation/scoring/{community_id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ community_id: CommunityIdParam }) },
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), 'scoring rules') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      await access.assertMember(c.get('auth'), community_id);
      return ok(c, await scoringRules(rdeps, community_id)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/reputation/scoring/{community_id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ community_id: CommunityIdParam }),
        ...body(
          z.object({
            event_name: z.string().trim().min(1).max(64),
            event_score: z.number().min(-1000).max(1000),
            description: z.string().max(1000).nullable().optional(),
          }),
        ),
      },
      responses: { 200: json(envelope(z.object({ rule: z.record(z.string(), z.unknown()) })), 'rule set') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const b = c.req.valid('json');
      const canonical = canonicalEventName(b.event_name);
      if (!canonical)
        throw new ValidationError('Validation failed', [
          { path: 'event_name', message: `must be one of ${CANONICAL_EVENTS.join(', ')}` },
        ]);
      await access.assertMayManage(c.get('auth'), community_id);
      const rule = await upsertRule(rdeps, {
        communityId: community_id,
        eventName: canonical,
        eventScore: b.event_score,
        description: b.description,
        actor: actorOf(c),
      });
      return ok(c, { rule }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/reputation/scoring/{community_id}/{event_name}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ community_id: CommunityIdParam, event_name: z.string().min(1).max(64) }),
      },
      responses: { 200: json(envelope(z.object({ reverted_to_default: z.literal(true) })), 'reverted') },
    }),
    async (c) => {
      const { community_id, event_name } = c.req.valid('param');
      await access.assertMayManage(c.get('auth'), community_id);
      await revertRule(rdeps, community_id, canonicalEventName(event_name) ?? event_name, actorOf(c));
      return ok(c, { reverted_to_default: true as const }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/reputation/{community_id}/user/{user_id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ community_id: CommunityIdParam, user_id: UserKeyParam }),
        ...body(
          z.object({
            score: z.number().min(rdeps.range.min).max(rdeps.range.max),
            reason: z.string().trim().min(1).max(500),
          }),
        ),
      },
      responses: {
        200: json(envelope(z.object({ previous_score: z.number(), new_score: z.number() })), 'score set'),
      },
    }),
    async (c) => {
      const { community_id, user_id } = c.req.valid('param');
      const b = c.req.valid('json');
      await access.assertMayManage(c.get('auth'), community_id);
      const result = await setScore(rdeps, {
        communityId: community_id,
        userKey: user_id,
        score: b.score,
        reason: b.reason,
        actor: actorOf(c),
      });
      return ok(c, result) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reputation/stats/{community_id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ community_id: CommunityIdParam }) },
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), 'community statistics') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      await access.assertMember(c.get('auth'), community_id);
      return ok(c, await communityStats(rdeps, community_id)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reputation/tiers',
      responses: { 200: json(envelope(z.object({ tiers: z.array(z.unknown()) })), 'the tier table') },
    }),
    (c) =>
      ok(c, {
        tiers: TIERS.map((t) => ({ ...t })),
        range: { min: rdeps.range.min, max: rdeps.range.max, default: rdeps.range.initial },
      }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/init',
      middleware: [svc] as const,
      responses: { 200: json(envelope(z.record(z.string(), z.unknown())), 'initialised') },
    }),
    // Default weights live in code and Global rows are created on first use, so there is nothing
    // to seed: initialising is reporting what the service starts from, and always idempotent.
    (c) =>
      ok(c, {
        community_id: GLOBAL_COMMUNITY_ID,
        name: GLOBAL_COMMUNITY_NAME,
        default_scores_count: CANONICAL_EVENTS.length,
      }) as never,
  );
}
