import {
  AuthRequiredError,
  ForbiddenError,
  NotFoundError,
  UpstreamError,
  ValidationError,
  ok,
  restRoute,
  z,
  type App,
  type AppEnv,
  type AuthContext,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context, MiddlewareHandler } from 'hono';
import {
  PeerUnavailableError,
  communityModules,
  displayNames,
  getCommunity,
  managedCommunities,
  mayManage,
  membersByReputation,
  roleIn,
} from '../community-data.js';
import { createPortalUser } from '../onboarding.js';
import type { PortalDeps } from '../portal-deps.js';
import { readSession } from '../session.js';

const NoParams = z.object({});
const CommunityIdParam = z.object({
  id: z
    .string()
    .regex(/^\d{1,12}$/, 'expected a community id')
    .transform(Number),
});
const Platform = z.enum(['twitch', 'discord', 'slack']);

/**
 * `svc|jwt`: the service key, an identity JWT as Bearer, or (for browser scripts) the session
 * cookie. A session whose temporary password is still unchanged acts for no one.
 */
function serviceOrUser(deps: ServiceDeps, portal: PortalDeps): MiddlewareHandler<AppEnv> {
  return async function serviceOrUserAuth(c, next) {
    if (c.req.header('X-Service-Key') !== undefined || c.req.header('Authorization') !== undefined) {
      c.set('auth', await deps.auth.authenticate(c, ['service', 'jwt']));
      return next();
    }
    const session = await readSession(c, portal);
    if (!session || session.mustChangePassword) throw new AuthRequiredError();
    c.set('auth', {
      kind: 'jwt',
      user_id: session.userId,
      username: session.username,
      email: null,
      roles: session.roles,
      permissions: [],
    });
    return next();
  };
}

function upstream<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof PeerUnavailableError) throw new UpstreamError(`${err.service} is unavailable`);
    throw err;
  });
}

/** §7.3 JSON API (contracts §5 envelope). */
export function mountApi(app: App, deps: ServiceDeps, portal: PortalDeps) {
  const svc = deps.auth.require('service');
  const svcOrJwt = serviceOrUser(deps, portal);
  const auth = (c: Context) => c.get('auth') as AuthContext;

  async function assertManages(c: Context, communityId: number) {
    const community = await upstream(getCommunity(portal, communityId));
    if (!community) throw new NotFoundError('Community not found');
    const a = auth(c);
    if (a.kind === 'service') return community;
    const allowed =
      !!a.user_id &&
      (mayManage(await upstream(roleIn(portal, a.user_id, communityId))) ||
        (await portal.isPlatformAdmin(a.user_id, a.roles)));
    if (!allowed) {
      deps.logger.authz({
        action: 'community_api',
        user: a.user_id,
        community: String(communityId),
        result: 'DENIED',
      });
      throw new ForbiddenError('Only owners and admins of this community may read it');
    }
    return community;
  }

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/api/create_user',
      summary: 'Temporary-password portal login for a platform account (§7.4); the password is e-mailed',
      params: NoParams,
      status: 201,
      body: z.object({
        platform: Platform.optional(),
        platform_user_id: z.string().trim().min(1).max(128).optional(),
        platform_username: z.string().trim().min(1).max(128).optional(),
        waddlebot_user_id: z
          .string()
          .trim()
          .regex(/^\d{1,12}$/, 'expected a WaddleBot user id')
          .optional(),
        email: z.string().trim().max(320).pipe(z.email()),
        display_name: z.string().trim().max(128).optional(),
      }),
    },
    async (c, { body }) => {
      if (body.platform && body.platform_user_id) {
        return ok(
          c,
          await createPortalUser(
            portal,
            {
              kind: 'account',
              platform: body.platform,
              platformUserId: body.platform_user_id,
              platformUsername: body.platform_username ?? body.platform_user_id,
            },
            body.email,
            body.display_name,
          ),
          201,
        );
      }
      if (body.waddlebot_user_id)
        return ok(
          c,
          await createPortalUser(
            portal,
            { kind: 'user', userId: body.waddlebot_user_id },
            body.email,
            body.display_name,
          ),
          201,
        );
      throw new ValidationError('Validation failed', [
        { path: 'platform_user_id', message: 'give platform and platform_user_id, or waddlebot_user_id' },
      ]);
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/api/communities/{waddlebot_user_id}',
      summary: 'Communities the user owns or administers',
      params: z.object({ waddlebot_user_id: z.string().trim().min(1).max(160) }),
    },
    async (c, { params }) => {
      const a = auth(c);
      if (
        a.kind !== 'service' &&
        a.user_id !== params.waddlebot_user_id &&
        !(await portal.isPlatformAdmin(a.user_id ?? '', a.roles))
      )
        throw new ForbiddenError("You cannot read another user's communities");
      const communities = await upstream(managedCommunities(portal, params.waddlebot_user_id));
      return ok(c, {
        communities: communities.map(({ role: _role, ...rest }) => rest),
      });
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/api/community/{id}/members',
      summary: 'Members with reputation, highest score first',
      params: CommunityIdParam,
    },
    async (c, { params }) => {
      await assertManages(c, params.id);
      const { members } = await upstream(membersByReputation(portal, params.id));
      const names = await displayNames(
        portal,
        members.map((m) => m.user_id),
      );
      return ok(c, {
        members: members.map((m) => ({
          user_id: m.user_id,
          display_name: names.get(m.user_id) ?? null,
          role: m.role,
          reputation: {
            current_score: m.reputation.current_score,
            total_events: m.reputation.total_events,
            last_activity: m.reputation.last_activity,
          },
          joined_at: m.joined_at,
          invited_by: m.invited_by,
        })),
      });
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/api/community/{id}/modules',
      summary: "The community's core and marketplace modules, by command",
      params: CommunityIdParam,
    },
    async (c, { params }) => {
      await assertManages(c, params.id);
      const modules = await communityModules(portal, params.id);
      // Marketplace is optional (§7.1): without it the lists are empty and say so.
      return ok(c, {
        modules: modules
          ? {
              core: modules.core.map(({ display_name: _d, ...m }) => m),
              marketplace: modules.marketplace.map(({ display_name: _d, ...m }) => m),
            }
          : { core: [], marketplace: [] },
        marketplace_available: modules !== null,
      });
    },
  );
}
