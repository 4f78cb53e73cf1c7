import { ok, restRoute, z, type App, type ServiceDeps } from '@waddlebot/core';
import { createApiKey, listApiKeys, regenerateApiKey, revokeApiKey } from '../api-keys.js';
import type { IdentityDeps } from '../identity-deps.js';
import { authenticated, jwtCallerId } from './route-auth.js';
import { NoParams, UserIdString } from './schemas.js';

const KeyParams = z.object({ key_id: UserIdString });

/** core-and-admin §3.3 user API keys: JWT only, always the caller's own keys. */
export function mountApiKeyRoutes(app: App, deps: ServiceDeps, id: IdentityDeps) {
  const jwt = authenticated(deps, id, 'jwt');

  restRoute(
    app,
    jwt,
    {
      method: 'post',
      path: '/identity/api-keys',
      summary: 'Create a user API key (shown once)',
      params: NoParams,
      status: 201,
      body: z.object({
        name: z.string().trim().min(1).max(128).optional(),
        expires_in_days: z.number().int().min(1).max(3650).optional(),
      }),
    },
    async (c, { body }) => ok(c, await createApiKey(id, await jwtCallerId(c, id), body), 201),
  );

  restRoute(
    app,
    jwt,
    { method: 'get', path: '/identity/api-keys', summary: "The caller's active API keys", params: NoParams },
    async (c) => ok(c, { api_keys: await listApiKeys(id, await jwtCallerId(c, id)) }),
  );

  restRoute(
    app,
    jwt,
    {
      method: 'delete',
      path: '/identity/api-keys/{key_id}',
      summary: 'Revoke an API key',
      params: KeyParams,
    },
    async (c, { params }) => ok(c, await revokeApiKey(id, await jwtCallerId(c, id), Number(params.key_id))),
  );

  restRoute(
    app,
    jwt,
    {
      method: 'post',
      path: '/identity/api-keys/{key_id}/regenerate',
      summary: 'New secret for an API key (same id and expiry)',
      params: KeyParams,
    },
    async (c, { params }) =>
      ok(c, await regenerateApiKey(id, await jwtCallerId(c, id), Number(params.key_id))),
  );
}
