import { createRoute, z } from '@hono/zod-openapi';
import {
  EntityIdSchema,
  NotFoundError,
  RoleSchema,
  actingUser,
  ok,
  pageMeta,
  restRoute,
  type App,
  type AuthContext,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import { deleteCommunity, getCommunity, communityCounts, findCommunityById } from '../communities.js';
import type { CommunityDeps } from '../community-deps.js';
import { addEntity, communityOfEntity, listEntityGroups, removeEntity } from '../entity-groups.js';
import { syncCommunityModules } from '../marketplace-client.js';
import { listMembers, setMemberRole, storedRole } from '../memberships.js';
import { listUserCommunities } from '../user-communities.js';
import { restAccess } from './rest-access.js';

const CommunityIdParam = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a decimal community id')
  .transform(Number)
  .pipe(z.number().int().positive());
const UserKeyParam = z.string().min(1).max(256);
const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const CommunityDetailSchema = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  created_by: z.string().nullable(),
  created_at: z.string(),
  member_count: z.number(),
  entity_groups: z.array(
    z.object({
      id: z.number(),
      platform: z.string(),
      server_id: z.string(),
      entity_ids: z.array(z.string()),
    }),
  ),
  owners: z.array(z.string()),
});
const MemberSchema = z.object({
  user_id: z.string(),
  role: RoleSchema,
  joined_at: z.string(),
  invited_by: z.string().nullable(),
});
const UserCommunitySchema = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().nullable(),
  role: RoleSchema,
  joined_at: z.string().nullable(),
  member_count: z.number(),
  entity_group_count: z.number(),
});

/** Who a change is recorded under: the JWT's user, else the user the trusted caller names. */
function actorKey(c: Context, auth: AuthContext): string {
  return (auth.kind === 'service' ? actingUser(c).id : auth.user_id) ?? 'service';
}

/**
 * The HTTP API of core-and-admin §4.3, plus DELETE of a community and adding or removing a
 * community's channels (the API side of `!community add|remove entity`).
 */
export function mountRestRoutes(app: App, deps: ServiceDeps, cdeps: CommunityDeps) {
  const db = cdeps.db;
  const access = restAccess(db, deps.database.root);
  const svcOrJwt = deps.auth.require('service', 'jwt');
  const svc = deps.auth.require('service');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/communities/{id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ id: CommunityIdParam }) },
      responses: { 200: json(envelope(CommunityDetailSchema), 'community') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const community = await getCommunity(db, id);
      await access.assertMayView(c.get('auth'), community);
      const counts = (await communityCounts(db, [id])).get(id)!;
      return ok(c, {
        id: community.id,
        name: community.name,
        description: community.description,
        settings: community.settings as unknown as Record<string, unknown>,
        created_by: community.created_by,
        created_at: new Date(community.created_at).toISOString(),
        member_count: counts.member_count,
        entity_groups: await listEntityGroups(db, id),
        owners: community.owners,
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/communities/{id}/members',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ id: CommunityIdParam }),
        query: z.object({
          page: z.coerce.number().int().min(1).max(1_000_000).default(1),
          per_page: z.coerce.number().int().min(1).max(100).default(25),
          search: z.string().max(256).optional(),
        }),
      },
      responses: { 200: json(envelope(z.array(MemberSchema)), 'members, paginated') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await getCommunity(db, id);
      await access.assertMember(c.get('auth'), id);
      const { members, total } = await listMembers(db, id, {
        page: q.page,
        perPage: q.per_page,
        search: q.search?.trim() || undefined,
      });
      return ok(c, members, 200, pageMeta(q.page, q.per_page, total)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/communities/{id}/members/{user_id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ id: CommunityIdParam, user_id: UserKeyParam }),
        body: { content: { 'application/json': { schema: z.object({ role: RoleSchema }) } } },
      },
      responses: { 200: json(envelope(z.object({ user_id: z.string(), role: RoleSchema })), 'role set') },
    }),
    async (c) => {
      const { id, user_id } = c.req.valid('param');
      const { role } = c.req.valid('json');
      const auth = c.get('auth');
      await getCommunity(db, id);
      const current = await storedRole(db, id, user_id);
      await access.assertMaySetRole(auth, id, current?.explicit ? current.role : null, role);
      await setMemberRole(cdeps, {
        communityId: id,
        userKey: user_id,
        role,
        // The router's role API names its acting admin in X-WaddleBot-User-Id (trusted behind the key).
        assignedBy: actorKey(c, auth),
      });
      return ok(c, { user_id, role }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/communities/{id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ id: CommunityIdParam }) },
      responses: { 200: json(envelope(z.object({ deleted: z.literal(true) })), 'deleted') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const auth = c.get('auth');
      await getCommunity(db, id);
      await access.assertMayDelete(auth, id);
      await deleteCommunity(cdeps, id, actorKey(c, auth));
      return ok(c, { deleted: true as const }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{user_id}/communities',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ user_id: UserKeyParam }),
        query: z.object({ role_min: RoleSchema.optional() }),
      },
      responses: { 200: json(envelope(z.array(UserCommunitySchema)), "the user's communities") },
    }),
    async (c) => {
      const { user_id } = c.req.valid('param');
      const { role_min } = c.req.valid('query');
      await access.assertSelf(c.get('auth'), user_id);
      return ok(c, await listUserCommunities(db, user_id, { roleMin: role_min })) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{user_id}/communities/{id}/role',
      middleware: [svc] as const,
      request: { params: z.object({ user_id: UserKeyParam, id: CommunityIdParam }) },
      responses: { 200: json(envelope(z.object({ role: RoleSchema.nullable() })), 'stored role') },
    }),
    async (c) => {
      const { user_id, id } = c.req.valid('param');
      const community = await findCommunityById(db, id);
      const role = community ? await storedRole(db, id, user_id) : null;
      return ok(c, { role: role?.role ?? null }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/entities/{entity_id}/community',
      middleware: [svc] as const,
      request: { params: z.object({ entity_id: EntityIdSchema }) },
      responses: {
        200: json(envelope(z.object({ community_id: z.number(), community_name: z.string() })), 'owner'),
      },
    }),
    async (c) => {
      const { entity_id } = c.req.valid('param');
      const found = await communityOfEntity(db, entity_id);
      if (!found) throw new NotFoundError('The entity is in no community');
      return ok(c, { community_id: found.community_id, community_name: found.community_name }) as never;
    },
  );

  const EntityPath = z.object({ id: CommunityIdParam, entity_id: EntityIdSchema });

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/communities/{id}/entities',
      summary: 'Add a channel to the community (service or platform administrator)',
      params: z.object({ id: CommunityIdParam }),
      body: z.object({ entity_id: EntityIdSchema }),
      status: 201,
    },
    async (c, { params: { id }, body }) => {
      const auth = c.get('auth') as AuthContext;
      await getCommunity(db, id);
      await access.assertMayAddEntity(auth);
      await addEntity(cdeps, { communityId: id, entityId: body.entity_id, createdBy: actorKey(c, auth) });
      syncCommunityModules(deps.serviceClient('marketplace'), deps.logger, id);
      return ok(c, { community_id: id, entity_id: body.entity_id }, 201);
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'delete',
      path: '/communities/{id}/entities/{entity_id}',
      summary: 'Take a channel out of the community; it falls back to the Global community',
      params: EntityPath,
    },
    async (c, { params: { id, entity_id } }) => {
      const auth = c.get('auth') as AuthContext;
      await getCommunity(db, id);
      await access.assertMayRemoveEntity(auth, id);
      await removeEntity(cdeps, { communityId: id, entityId: entity_id, removedBy: actorKey(c, auth) });
      return ok(c, { community_id: id, entity_id, removed: true as const });
    },
  );
}
