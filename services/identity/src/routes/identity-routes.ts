import {
  ForbiddenError,
  ValidationError,
  ok,
  restRoute,
  z,
  type App,
  type AppEnv,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import type { IdentityDeps } from '../identity-deps.js';
import { pendingVerifications, resendCode, startLink, unlinkPlatform, verifyLink } from '../linking.js';
import { identityStats, platformAccountView, userView } from '../lookups.js';
import { resolveAccount, uidOf } from '../users.js';
import { actingUserId, authenticated } from './route-auth.js';
import { NoParams, PlatformAccountId, PlatformParam, UserIdString } from './schemas.js';

const Name = z.string().trim().min(1).max(128);

/** A user key may only read its own user (core-and-admin §3.3, 403 [new]). */
function assertOwnData(c: Context, userId: string) {
  const auth = c.get('auth') as AppEnv['Variables']['auth'];
  if (auth.kind !== 'service' && auth.user_id !== userId)
    throw new ForbiddenError("You cannot read another user's identity");
}

/** core-and-admin §3.3: resolve, link/verify/unlink, pending, resend, lookups, stats. */
export function mountIdentityRoutes(app: App, deps: ServiceDeps, id: IdentityDeps) {
  const svc = authenticated(deps, id, 'service');
  const svcOrJwt = authenticated(deps, id, 'service', 'jwt');
  const svcOrUserKey = authenticated(deps, id, 'service', 'user_key', 'jwt');

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/identity/resolve',
      summary: 'Canonical uid of a platform account, created on first sight (contracts §14)',
      params: NoParams,
      body: z.object({
        platform: PlatformParam,
        platform_user_id: PlatformAccountId,
        user_name: z.string().max(256).optional(),
      }),
    },
    async (c, { body }) => {
      const res = await resolveAccount(id, {
        platform: body.platform,
        platformId: body.platform_user_id,
        userName: body.user_name?.trim() || body.platform_user_id,
      });
      return ok(c, { uid: uidOf(res.userId), created: res.created });
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/identity/link',
      summary: 'Start linking an account: a verification code is sent to it privately',
      params: NoParams,
      body: z.object({
        user_id: UserIdString.optional(),
        source_platform: PlatformParam.optional(),
        source_platform_id: PlatformAccountId.optional(),
        source_username: Name.optional(),
        target_platform: PlatformParam,
        target_username: Name,
      }),
    },
    async (c, { body }) => {
      const auth = c.get('auth') as AppEnv['Variables']['auth'];
      if (body.source_platform && body.source_platform === body.target_platform)
        throw new ValidationError('Source and target platform must differ', [
          { path: 'target_platform', message: 'must differ from source_platform' },
        ]);
      let userId: number;
      let source: { platform: typeof body.target_platform; username: string } | null = null;
      if (auth.kind === 'service' && body.source_platform && body.source_platform_id) {
        const username = body.source_username ?? body.source_platform_id;
        userId = (
          await resolveAccount(id, {
            platform: body.source_platform,
            platformId: body.source_platform_id,
            userName: username,
          })
        ).userId;
        source = { platform: body.source_platform, username };
      } else {
        if (auth.kind === 'service' && !body.user_id)
          throw new ValidationError('Validation failed', [
            {
              path: 'source_platform_id',
              message: 'source_platform and source_platform_id (or user_id) are required',
            },
          ]);
        userId = await actingUserId(c, id, body.user_id);
        if (body.source_platform && body.source_username)
          source = { platform: body.source_platform, username: body.source_username };
      }
      const result = await startLink(id, {
        userId,
        source,
        targetPlatform: body.target_platform,
        targetUsername: body.target_username,
      });
      return ok(c, result);
    },
  );

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/identity/verify',
      summary: 'Complete a link with the code the account received',
      params: NoParams,
      body: z.object({
        platform: PlatformParam,
        platform_id: PlatformAccountId,
        platform_username: Name,
        verification_code: z.string().trim().min(1).max(32),
      }),
    },
    async (c, { body }) =>
      ok(
        c,
        await verifyLink(id, {
          platform: body.platform,
          platformId: body.platform_id,
          platformUsername: body.platform_username,
          code: body.verification_code,
        }),
      ),
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'delete',
      path: '/identity/unlink',
      summary: "Unlink one of the user's platform accounts (never the last)",
      params: NoParams,
      body: z.object({ user_id: UserIdString.optional(), platform: PlatformParam }),
    },
    async (c, { body }) => {
      const userId = await actingUserId(c, id, body.user_id);
      return ok(c, await unlinkPlatform(id, userId, body.platform));
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/identity/pending',
      summary: "The user's pending verifications",
      params: NoParams,
      query: z.object({ user_id: UserIdString.optional(), platform: PlatformParam.optional() }),
    },
    async (c, { query }) => {
      const userId = await actingUserId(c, id, query.user_id);
      return ok(c, { pending: await pendingVerifications(id, userId, query.platform) });
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/identity/resend',
      summary: 'Send a new code for a pending verification',
      params: NoParams,
      body: z.object({ user_id: UserIdString.optional(), target_platform: PlatformParam }),
    },
    async (c, { body }) => {
      const userId = await actingUserId(c, id, body.user_id);
      return ok(c, await resendCode(id, userId, body.target_platform));
    },
  );

  restRoute(
    app,
    svcOrUserKey,
    {
      method: 'get',
      path: '/identity/user/{user_id}',
      summary: 'A WaddleBot user and its linked accounts',
      params: z.object({ user_id: UserIdString }),
    },
    async (c, { params }) => {
      assertOwnData(c, params.user_id);
      return ok(c, await userView(id, Number(params.user_id)));
    },
  );

  restRoute(
    app,
    svcOrUserKey,
    {
      method: 'get',
      path: '/identity/platform/{platform}/{platform_id}',
      summary: 'The WaddleBot user owning a platform account',
      params: z.object({ platform: PlatformParam, platform_id: PlatformAccountId }),
    },
    async (c, { params }) => {
      const view = await platformAccountView(id, params.platform, params.platform_id);
      assertOwnData(c, view.user_id);
      return ok(c, view);
    },
  );

  restRoute(
    app,
    svc,
    { method: 'get', path: '/identity/stats', summary: 'Identity counters', params: NoParams },
    async (c) => ok(c, await identityStats(id)),
  );
}
