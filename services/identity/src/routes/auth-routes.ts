import { ValidationError, ok, restRoute, z, type App, type AppEnv, type ServiceDeps } from '@waddlebot/core';
import type { Context } from 'hono';
import {
  changePassword,
  issueTempPassword,
  login,
  profileOf,
  registerUser,
  updateProfile,
} from '../accounts.js';
import type { IdentityDeps } from '../identity-deps.js';
import { authenticated, jwtCallerId } from './route-auth.js';
import { NoParams, PlatformAccountId, PlatformParam, UserIdString } from './schemas.js';

const Email = z.string().trim().max(320).pipe(z.email());
const Password = z.string().min(8).max(256);
const OptionalName = z.string().trim().max(128).nullable().optional();

/** core-and-admin §3.3 accounts: register, login, logout, profile, passwords. */
export function mountAuthRoutes(app: App, deps: ServiceDeps, id: IdentityDeps) {
  const jwt = authenticated(deps, id, 'jwt');
  const svc = authenticated(deps, id, 'service');
  const open = async (_c: Context, next: () => Promise<void>) => next();

  restRoute(
    app,
    open,
    {
      method: 'post',
      path: '/auth/register',
      summary: 'Create a WaddleBot account',
      params: NoParams,
      status: 201,
      body: z.object({
        username: z
          .string()
          .trim()
          .min(3)
          .max(64)
          .regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, "_", "." and "-" only'),
        email: Email,
        password: Password,
        first_name: z.string().trim().max(128).optional(),
        last_name: z.string().trim().max(128).optional(),
        display_name: z.string().trim().max(128).optional(),
      }),
    },
    async (c, { body }) => ok(c, await registerUser(id, body), 201),
  );

  restRoute(
    app,
    open,
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Username or e-mail and password → JWT',
      params: NoParams,
      body: z.object({
        username: z.string().max(320).optional(),
        email: z.string().max(320).optional(),
        login: z.string().max(320).optional(),
        password: z.string().min(1).max(256),
      }),
    },
    async (c, { body }) => {
      const who = (body.username ?? body.email ?? body.login ?? '').trim();
      if (!who)
        throw new ValidationError('Validation failed', [
          { path: 'username', message: 'username or email is required' },
        ]);
      return ok(c, await login(id, { login: who, password: body.password }));
    },
  );

  restRoute(
    app,
    jwt,
    { method: 'post', path: '/auth/logout', summary: 'Stateless logout', params: NoParams },
    async (c) => {
      deps.logger.auth({
        action: 'logout',
        user: (c.get('auth') as AppEnv['Variables']['auth']).user_id,
        result: 'SUCCESS',
      });
      return ok(c, { logged_out: true });
    },
  );

  restRoute(
    app,
    jwt,
    { method: 'get', path: '/auth/profile', summary: "The caller's profile", params: NoParams },
    async (c) => ok(c, await profileOf(id, await jwtCallerId(c, id))),
  );

  restRoute(
    app,
    jwt,
    {
      method: 'put',
      path: '/auth/profile',
      summary: "Update the caller's profile",
      params: NoParams,
      body: z.object({
        first_name: OptionalName,
        last_name: OptionalName,
        display_name: OptionalName,
        primary_platform: PlatformParam.optional(),
      }),
    },
    async (c, { body }) => ok(c, await updateProfile(id, await jwtCallerId(c, id), body)),
  );

  restRoute(
    app,
    jwt,
    {
      method: 'post',
      path: '/auth/change-password',
      summary: "Change the caller's password",
      params: NoParams,
      body: z.object({ current_password: z.string().min(1).max(256), new_password: Password }),
    },
    async (c, { body }) => ok(c, await changePassword(id, await jwtCallerId(c, id), body)),
  );

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/auth/temp-password',
      summary: 'Portal onboarding: a temporary password for a platform account or user',
      params: NoParams,
      body: z.object({
        user_id: UserIdString.optional(),
        platform: PlatformParam.optional(),
        platform_id: PlatformAccountId.optional(),
        platform_username: z.string().trim().min(1).max(128).optional(),
        email: Email,
        display_name: z.string().trim().min(1).max(128).optional(),
      }),
    },
    async (c, { body }) => {
      if (body.user_id)
        return ok(
          c,
          await issueTempPassword(
            id,
            { kind: 'user', userId: Number(body.user_id) },
            body.email,
            body.display_name,
          ),
        );
      if (!body.platform || !body.platform_id)
        throw new ValidationError('Validation failed', [
          { path: 'platform_id', message: 'give user_id, or platform and platform_id' },
        ]);
      return ok(
        c,
        await issueTempPassword(
          id,
          {
            kind: 'account',
            platform: body.platform,
            platformId: body.platform_id,
            platformUsername: body.platform_username ?? body.platform_id,
          },
          body.email,
          body.display_name,
        ),
      );
    },
  );
}
