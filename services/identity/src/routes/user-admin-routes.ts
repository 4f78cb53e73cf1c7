import { ForbiddenError, ok, restRoute, z, type App, type AppEnv, type ServiceDeps } from '@waddlebot/core';
import type { Context } from 'hono';
import { jwtUser } from '../accounts.js';
import type { IdentityDeps } from '../identity-deps.js';
import { listUsers, setUserActive } from '../user-admin.js';
import { accountRoles, uidOf } from '../users.js';
import { authenticated } from './route-auth.js';
import { NoParams, UserIdString } from './schemas.js';

/**
 * The caller allowed to administer users: a service (the portal, which checks platform admin
 * itself) or a JWT whose active user holds the `admin` account role now — read from the table, not
 * the token, so a demoted administrator's older token no longer works.
 */
async function administrator(c: Context, id: IdentityDeps): Promise<string> {
  const auth = c.get('auth') as AppEnv['Variables']['auth'];
  if (auth.kind === 'service') return 'service';
  const user = await jwtUser(id, auth.user_id);
  if (!(await accountRoles(id.db, user.id)).includes('admin'))
    throw new ForbiddenError('Only platform administrators can manage users');
  return uidOf(user.id);
}

/** Portal `/admin/users` (core-and-admin §7.2): list/search users and switch them on or off. */
export function mountUserAdminRoutes(app: App, deps: ServiceDeps, id: IdentityDeps) {
  const svcOrJwt = authenticated(deps, id, 'service', 'jwt');

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/identity/users',
      summary: 'Users, paginated, optionally searched by username or e-mail substring',
      params: NoParams,
      query: z.object({
        search: z.string().trim().max(128).optional(),
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        per_page: z.coerce.number().int().min(1).max(100).default(25),
      }),
    },
    async (c, { query }) => {
      await administrator(c, id);
      const { users, meta } = await listUsers(id, {
        search: query.search,
        page: query.page,
        perPage: query.per_page,
      });
      return ok(c, users, 200, meta);
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'put',
      path: '/identity/users/{user_id}/active',
      summary: 'Activate or deactivate a user (a deactivated user cannot log in or use API keys)',
      params: z.object({ user_id: UserIdString }),
      body: z.object({ is_active: z.boolean() }),
    },
    async (c, { params, body }) => {
      const actor = await administrator(c, id);
      return ok(c, await setUserActive(id, Number(params.user_id), body.is_active, actor));
    },
  );
}
